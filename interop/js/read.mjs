// Reads one file that tally wrote, with a reader tally did not write, and
// prints it as JSON for interop's Go tests to compare cell by cell:
//
//   node read.mjs parquet FILE   (hyparquet, with hyparquet-compressors)
//   node read.mjs arrow FILE     (apache-arrow, the IPC file format)
//
// Output: {"columns": [{"name", "type"}], "rows": [[cell, ...], ...]}
// where an integer cell is {"int": "<decimal digits>"} (so that no JSON
// number rounds it), other cells are JSON strings, numbers, booleans or
// null, and "type" is the reader's own name for the column's type.
import { readFileSync } from 'node:fs'
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, parquetSchema } from 'hyparquet'
import { compressors } from 'hyparquet-compressors'
import { tableFromIPC } from 'apache-arrow'

const [format, path] = process.argv.slice(2)

function cell(v) {
  if (v === null || v === undefined) return null
  if (typeof v === 'bigint') return { int: v.toString() }
  if (typeof v === 'number' && Number.isInteger(v) && !Object.is(v, -0)) return v
  return v
}

async function readParquet(path) {
  const file = await asyncBufferFromFile(path)
  const metadata = await parquetMetadataAsync(file)
  const schema = parquetSchema(metadata)
  const columns = schema.children.map(c => {
    const e = c.element
    const logical = e.logical_type ? e.logical_type.type : (e.converted_type || '')
    return { name: e.name, type: [e.type, logical].filter(Boolean).join('/') }
  })
  const objects = await parquetReadObjects({ file, compressors })
  const rows = objects.map(o => columns.map(c => cell(o[c.name])))
  return { columns, rows }
}

function readArrow(path) {
  const table = tableFromIPC(readFileSync(path))
  const fields = table.schema.fields
  const columns = fields.map(f => ({ name: f.name, type: String(f.type) }))
  const rows = []
  for (let i = 0; i < table.numRows; i++) {
    const row = table.get(i)
    rows.push(fields.map(f => cell(row[f.name])))
  }
  return { columns, rows }
}

const out = format === 'parquet' ? await readParquet(path) : format === 'arrow' ? readArrow(path) : null
if (!out) {
  console.error(`usage: node read.mjs parquet|arrow FILE`)
  process.exit(2)
}
process.stdout.write(JSON.stringify(out) + '\n')
