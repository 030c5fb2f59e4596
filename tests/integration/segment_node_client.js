// Sends identify, track, page and group through the real @segment/analytics-node to abmd, as a
// website backend would, and exits non-zero if any delivery failed.
// Usage: NODE_PATH=<folder with node_modules> node segment_node_client.js PORT WRITE_KEY
const { Analytics } = require('@segment/analytics-node')

const [port, writeKey] = process.argv.slice(2)
const analytics = new Analytics({ writeKey, host: `http://127.0.0.1:${port}`, flushAt: 10, flushInterval: 100, maxRetries: 0 })
let failed = 0
analytics.on('error', (err) => {
  failed++
  console.error('delivery failed:', (err && (err.reason || err.message)) || err)
})

analytics.identify({
  userId: 'node-u1',
  anonymousId: 'node-anon-1',
  traits: { email: 'ada@acme.com', firstName: 'Ada', lastName: 'Lovelace', title: 'CTO', company: { name: 'Acme', domain: 'acme.com' } },
})
analytics.track({ userId: 'node-u1', event: 'Demo Requested', properties: { plan: 'enterprise' } })
analytics.page({
  anonymousId: 'node-anon-1',
  name: 'Pricing',
  properties: { url: 'https://acme.com/pricing', path: '/pricing', title: 'Pricing', referrer: 'https://google.com/' },
})
analytics.group({ userId: 'node-u1', groupId: 'acct-42', traits: { name: 'Acme Corp', domain: 'acme.com', industry: 'Software', employees: 250 } })

analytics.closeAndFlush({ timeout: 30000 }).then(() => {
  if (failed) process.exit(1)
  console.log('flushed')
})
