// Starts a local AT Protocol network (@atproto/dev-env: PLC, PDS, App View, Ozone, Bsync) for the
// Bluesky connector's peer tests, on free ports, in the Postgres database given by DB_POSTGRES_URL
// (the pytest fixture creates a unique one per run and drops it afterwards, so parallel runs never
// share tables) and the schema DB_POSTGRES_SCHEMA.
//
// Unlike `node_modules/@atproto/dev-env/bin.js` (fixed ports 2581-2590, a large random mock dataset),
// it only creates the accounts the tests need (alice.test, bob.test, carla.test; password hunter2),
// then prints one line `BEFFROI_PEER_READY {json}` with the services' URLs and DIDs, and serves a
// small control endpoint:
//   GET  /             the same JSON
//   POST /process-all  waits until the PDS, Ozone and the App View have processed every event
//                      (network.processAll(): deterministic instead of sleeping in tests)
// SIGTERM / SIGINT / stdin closing (the parent died) close the network cleanly and exit.
//
// Run with Node >= 22: node start.mjs   (env: DB_POSTGRES_URL, REDIS_HOST, DB_POSTGRES_SCHEMA)

import http from 'node:http'
import { TestNetwork } from '@atproto/dev-env'

const started = Date.now()
const log = (...args) => console.error('[atproto-peer]', ...args)

const ACCOUNTS = [
  { short: 'alice', handle: 'alice.test', email: 'alice@test.com', password: 'hunter2', displayName: 'Mairie de Test (Alice)' },
  { short: 'bob', handle: 'bob.test', email: 'bob@test.com', password: 'hunter2', displayName: 'Bob, habitant' },
  { short: 'carla', handle: 'carla.test', email: 'carla@test.com', password: 'hunter2', displayName: 'Carla' },
]

let network
let control
let closing = false

async function shutdown(code) {
  if (closing) return
  closing = true
  log('arrêt du réseau…')
  const timer = setTimeout(() => {
    log('arrêt trop long, sortie forcée')
    process.exit(code || 1)
  }, 20_000)
  try {
    if (control) await new Promise((resolve) => control.close(() => resolve()))
    if (network) await network.close()
  } catch (err) {
    log('erreur pendant l’arrêt :', err?.message || err)
  }
  clearTimeout(timer)
  process.exit(code)
}

process.on('SIGTERM', () => shutdown(0))
process.on('SIGINT', () => shutdown(0))
// The parent (pytest) holds our stdin open: when it goes away without stopping us, stop too.
process.stdin.on('end', () => shutdown(0))
process.stdin.on('error', () => shutdown(0))
process.stdin.resume()

async function main() {
  if (!process.env.DB_POSTGRES_URL) throw new Error('DB_POSTGRES_URL manquant')
  if (!process.env.REDIS_HOST) throw new Error('REDIS_HOST manquant')
  const schema = process.env.DB_POSTGRES_SCHEMA || 'peer'
  network = await TestNetwork.create({ dbPostgresSchema: schema })

  const accounts = {}
  for (const account of ACCOUNTS) {
    const agent = network.pds.getAgent()
    await agent.createAccount({ handle: account.handle, email: account.email, password: account.password })
    await agent.app.bsky.actor.profile.create({ repo: agent.did }, { displayName: account.displayName, description: '' })
    accounts[account.short] = { did: agent.did, handle: account.handle, password: account.password }
  }
  await network.processAll()

  const info = {
    pds: network.pds.url,
    appview: network.bsky.url,
    appview_did: network.bsky.ctx.cfg.serverDid,
    ozone: network.ozone.url,
    ozone_did: network.ozone.ctx.cfg.service.did,
    plc: network.plc.url,
    accounts,
    node: process.versions.node,
    started_ms: Date.now() - started,
  }

  control = http.createServer((req, res) => {
    const reply = (status, body) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(body))
    }
    if (req.method === 'GET' && req.url === '/') return reply(200, info)
    if (req.method === 'POST' && req.url === '/process-all') {
      network
        .processAll(10_000)
        .then(() => reply(200, { ok: true }))
        .catch((err) => reply(500, { ok: false, error: String(err?.message || err) }))
      return
    }
    reply(404, { error: 'not found' })
  })
  await new Promise((resolve) => control.listen(0, '127.0.0.1', resolve))
  info.control = `http://127.0.0.1:${control.address().port}`
  info.started_ms = Date.now() - started
  console.log(`BEFFROI_PEER_READY ${JSON.stringify(info)}`)
}

main().catch((err) => {
  log('échec du démarrage :', err?.stack || err)
  shutdown(1)
})
