// The breaking-change check of the contract (called by scripts/contract-diff).
// Compares the last released contract with the current one using api-smart-diff, which
// classifies every difference as breaking, non-breaking, deprecated or annotation for OpenAPI
// 3.x documents (request and response sides told apart). A breaking difference fails unless
// the version moved a major step (for 0.x versions the minor is the major, as in SemVer).
import fs from 'node:fs'
import path from 'node:path'
import { createRequire } from 'node:module'

// Installed in the tools folder, not beside this script: loaded from there.
const require = createRequire(path.join(process.env.API_SMART_DIFF_MODULES, 'contract-diff.cjs'))
const { apiCompare } = require('api-smart-diff')

const [releasedPath, currentPath] = process.argv.slice(2)
const released = JSON.parse(fs.readFileSync(releasedPath, 'utf8'))
const current = JSON.parse(fs.readFileSync(currentPath, 'utf8'))

const parse = (v) => v.split('.').map((n) => Number.parseInt(n, 10))
const [rMajor, rMinor] = parse(released.info.version)
const [cMajor, cMinor] = parse(current.info.version)
const majorMoved = rMajor === 0 ? cMajor > 0 || cMinor > rMinor : cMajor > rMajor

const { diffs } = apiCompare(released, current)
const breaking = diffs.filter((d) => d.type === 'breaking')
const counts = {}
for (const d of diffs) counts[d.type] = (counts[d.type] ?? 0) + 1
console.log(`contract ${released.info.version} → ${current.info.version}: ${JSON.stringify(counts)}`)

if (breaking.length > 0 && !majorMoved) {
  console.error(`${breaking.length} breaking difference(s) without a major version step:`)
  const seen = new Set()
  for (const d of breaking) {
    const line = `  ${d.path.join('/')}: ${d.description}`
    if (seen.size < 40 && !seen.has(line)) seen.add(line)
  }
  for (const line of seen) console.error(line)
  console.error('Keep the published field, add beside it and deprecate (docs/api-guide.md, "Versioning"),')
  console.error('or make it a versioned decision: move the major version (the minor while 0.x).')
  process.exit(1)
}
if (breaking.length > 0) {
  console.log(`${breaking.length} breaking difference(s) allowed by the version step`)
}
