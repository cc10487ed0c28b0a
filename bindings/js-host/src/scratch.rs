//! The scratch memory: where the JavaScript side writes a record (or a batch) and reads the
//! answer, so that no call carries a string.

/// The JavaScript faces pass records through a scratch memory rather than as arguments (a
/// WebAssembly module's own memory; for the Node addon, an `ArrayBuffer` registered once): the
/// header, the record (or a batch's records), then the answer, written right after them.
///
/// ```text
/// scratch = u32 handle (which engine; the addon's, unused in WebAssembly), u32 flags,
///           u32 length of what follows, record | batch, [answer]
/// ```
pub const SCRATCH_HEADER: usize = 12;
/// Header flag: the host clock may be read when nothing else says when to price.
pub const FLAG_CLOCK: u32 = 1;
/// Header flag: the options the wrapper set for tape quotes apply (else the defaults).
pub const FLAG_OPTIONS: u32 = 2;
/// Header flag: a batch's explanations are wanted (see [`crate::tape::TapeQuotes`]).
pub const FLAG_EXPLAIN: u32 = 4;

/// A scratch memory's header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub handle: u32,
    pub flags: u32,
    /// The length of the record (or batch) after the header.
    pub len: usize,
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([
        *b.first()?,
        *b.get(1)?,
        *b.get(2)?,
        *b.get(3)?,
    ]))
}

/// Reads a scratch memory's header; `None` when the memory is too small for it and its record.
pub fn read_header(scratch: &[u8]) -> Option<Header> {
    let header = Header {
        handle: u32_at(scratch, 0)?,
        flags: u32_at(scratch, 4)?,
        len: usize::try_from(u32_at(scratch, 8)?).ok()?,
    };
    (SCRATCH_HEADER.checked_add(header.len)? <= scratch.len()).then_some(header)
}

/// Answers what the scratch holds: `answer(input, out)` writes the answer into `out` (false:
/// use the JSON path), which is then copied right after the input. Returns the answer's length;
/// 0 for the JSON path (also for a malformed header); a negative number is the scratch size the
/// answer needs (the caller grows the scratch and asks again; the answer is lost, so `answer`
/// must forget what it told the decoder).
pub fn answer_in_place(
    scratch: &mut [u8],
    out: &mut Vec<u8>,
    answer: impl FnOnce(Header, &[u8], &mut Vec<u8>) -> bool,
) -> i64 {
    let Some(header) = read_header(scratch) else {
        return 0;
    };
    let end = SCRATCH_HEADER + header.len;
    let (head, rest) = scratch.split_at_mut(end);
    let Some(input) = head.get(SCRATCH_HEADER..) else {
        return 0;
    };
    out.clear();
    if !answer(header, input, out) {
        return 0;
    }
    let n = out.len();
    match rest.get_mut(..n) {
        Some(dest) => {
            dest.copy_from_slice(out);
            i64::try_from(n).unwrap_or(0)
        }
        None => -i64::try_from(end.saturating_add(n)).unwrap_or(i64::MAX),
    }
}
