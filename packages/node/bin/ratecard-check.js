#!/usr/bin/env node
'use strict'
// ratecard-check: validates catalog files before they reach the billing API, for CI.
// Exit codes: 0 every catalog is valid (warnings allowed unless --strict), 1 some catalog has
// errors (or is not JSON), 2 the command line is wrong or a file cannot be read.

const { readFileSync } = require('node:fs')
const ratecard = require('../ratecard.js')

const USAGE = `usage: ratecard-check [--strict] [--format text|json] CATALOG.json [MORE.json ...]

Validates ratecard catalogs and prints every issue as
  FILE: PATH: CODE: MESSAGE            (errors)
  FILE: PATH: CODE: MESSAGE [warning]  (warnings)
A PATH of "." is the whole catalog; "-" reads a catalog from standard input.

options:
  --strict            warnings count as errors (a misspelt optional field can change a
                      price): use it in CI
  --format text|json  text for people (default), json for machines
  -h, --help          this help
  -v, --version       the ratecard version

exit status: 0 all catalogs valid (warnings allowed unless --strict), 1 a catalog has errors,
2 usage error or unreadable file`

function usageError(message) {
  process.stderr.write(`ratecard-check: ${message}\n${USAGE}\n`)
  process.exitCode = 2
}

function parseArgs(argv) {
  const files = []
  let format = 'text'
  let strict = false
  let onlyFiles = false
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (onlyFiles || arg === '-' || !arg.startsWith('-')) {
      files.push(arg)
    } else if (arg === '--') {
      onlyFiles = true
    } else if (arg === '-h' || arg === '--help') {
      return { help: true }
    } else if (arg === '-v' || arg === '--version') {
      return { version: true }
    } else if (arg === '--strict') {
      strict = true
    } else if (arg === '--format' || arg.startsWith('--format=')) {
      const value = arg === '--format' ? argv[++i] : arg.slice('--format='.length)
      if (value !== 'text' && value !== 'json') return { error: `--format takes text or json, not ${JSON.stringify(value ?? '')}` }
      format = value
    } else {
      return { error: `unknown option ${arg}` }
    }
  }
  if (files.length === 0) return { error: 'no catalog file given' }
  return { files, format, strict }
}

function readText(file) {
  return file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8')
}

/** The report for one file; text that is not JSON is one `invalid_json` error. */
function check(text, strict) {
  try {
    return ratecard.validate(text, { strict })
  } catch (err) {
    if (err instanceof ratecard.RatecardError) {
      return { valid: false, errors: err.issues, warnings: [] }
    }
    throw err
  }
}

function line(file, issue, warning) {
  const path = issue.path === '' ? '.' : issue.path
  return `${file}: ${path}: ${issue.code}: ${issue.message}${warning ? ' [warning]' : ''}\n`
}

function main(argv) {
  const args = parseArgs(argv)
  if (args.error) return usageError(args.error)
  if (args.help) return process.stdout.write(`${USAGE}\n`)
  if (args.version) return process.stdout.write(`ratecard-check ${ratecard.version}\n`)

  const results = []
  let unreadable = false
  for (const file of args.files) {
    let text
    try {
      text = readText(file)
    } catch (err) {
      process.stderr.write(`ratecard-check: cannot read ${file}: ${err.message}\n`)
      unreadable = true
      continue
    }
    results.push({ file, ...check(text, args.strict) })
  }

  const invalid = results.filter((r) => !r.valid).length
  if (args.format === 'json') {
    process.stdout.write(`${JSON.stringify({ valid: invalid === 0 && !unreadable, files: results }, null, 2)}\n`)
  } else {
    let out = ''
    for (const r of results) {
      for (const issue of r.errors) out += line(r.file, issue, false)
      for (const issue of r.warnings) out += line(r.file, issue, true)
    }
    process.stdout.write(out)
    const errors = results.reduce((n, r) => n + r.errors.length, 0)
    const warnings = results.reduce((n, r) => n + r.warnings.length, 0)
    const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`
    process.stderr.write(
      `ratecard-check: ${plural(results.length, 'catalog')} checked, ${invalid} invalid ` +
        `(${plural(errors, 'error')}, ${plural(warnings, 'warning')})\n`,
    )
  }
  process.exitCode = unreadable ? 2 : invalid > 0 ? 1 : 0
}

main(process.argv.slice(2))
