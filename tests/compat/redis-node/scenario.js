// scenario.js - node-redis v4 against the emulator: the calls the pipeline
// cache and a typical Node service make.  Usage: node scenario.js PORT
// [PASSWORD].  Prints "ok" and exits 0 when every check passes.
'use strict';
const assert = require('assert/strict');
const { createClient } = require('redis');

async function main() {
  const port = Number(process.argv[2]);
  const password = process.argv[3];
  const url = `redis://127.0.0.1:${port}`;
  const client = createClient({ url, password });
  client.on('error', (e) => { console.error('client error', e); });
  await client.connect();

  assert.equal(await client.ping(), 'PONG');
  await client.flushAll();
  assert.equal(await client.set('image:1', JSON.stringify({ w: 640 }), { EX: 60 }), 'OK');
  assert.deepEqual(JSON.parse(await client.get('image:1')), { w: 640 });
  const ttl = await client.ttl('image:1');
  assert.ok(ttl > 55 && ttl <= 60, `ttl ${ttl}`);
  assert.equal(await client.incr('counter'), 1);
  assert.equal(await client.incrByFloat('f', 10.5), '10.5');

  await client.hSet('meta:1', { width: '640', height: '480' });
  assert.deepEqual({ ...(await client.hGetAll('meta:1')) }, { width: '640', height: '480' });
  assert.equal(await client.hIncrBy('meta:1', 'views', 3), 3);

  await client.rPush('queue', ['a', 'b', 'c']);
  assert.deepEqual(await client.lRange('queue', 0, -1), ['a', 'b', 'c']);
  assert.equal(await client.lPop('queue'), 'a');

  await client.sAdd('tags', ['x', 'y']);
  assert.deepEqual((await client.sMembers('tags')).sort(), ['x', 'y']);

  await client.zAdd('recent', [{ score: 2, value: 'b' }, { score: 1, value: 'a' }]);
  assert.deepEqual(await client.zRangeWithScores('recent', 0, -1),
    [{ value: 'a', score: 1 }, { value: 'b', score: 2 }]);

  const [setReply, getReply] = await client.multi().set('tx', '1').get('tx').exec();
  assert.equal(setReply, 'OK');
  assert.equal(getReply, '1');

  // Scan iterator.
  const keys = [];
  for await (const k of client.scanIterator({ MATCH: 'image:*' })) keys.push(k);
  assert.deepEqual(keys, ['image:1']);

  // Pub/sub on a duplicate connection.
  const sub = client.duplicate();
  await sub.connect();
  const got = new Promise((resolve) => {
    sub.subscribe('image.processed', (message, channel) => resolve([channel, message]));
  });
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(await client.publish('image.processed', 'id-1'), 1);
  assert.deepEqual(await got, ['image.processed', 'id-1']);
  await sub.unsubscribe('image.processed');
  await sub.quit();

  // A blocking pop woken by a push from another connection.
  const waiter = client.duplicate();
  await waiter.connect();
  const popped = waiter.blPop('jobs', 5);
  await new Promise((r) => setTimeout(r, 100));
  await client.lPush('jobs', 'job-1');
  assert.deepEqual(await popped, { key: 'jobs', element: 'job-1' });
  await waiter.quit();

  const info = await client.info('server');
  assert.match(info, /redis_version:7\./);
  await client.quit();
  console.log('ok');
}

main().catch((e) => { console.error(e); process.exit(1); });
