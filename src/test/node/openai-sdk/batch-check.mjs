// The Batch API through the official SDK: upload a JSONL file, create a batch, poll it, download its output and
// compare it with the same requests sent interactively; a malformed file is refused naming its line. Exits
// non-zero on the first failure. OpenAiNodeSdkTest starts the server and passes BASE_URL and MODEL.
import OpenAI, { toFile } from 'openai';
import assert from 'node:assert/strict';

const client = new OpenAI({ baseURL: process.env.BASE_URL, apiKey: 'sdk-test', maxRetries: 0 });
const model = process.env.MODEL;
const bodies = { a: 4, b: 5, c: 6 };
const request = (id) => ({
  model, messages: [{ role: 'user', content: `Hi ${id}` }], max_tokens: bodies[id], temperature: 0,
});
const jsonl = Object.keys(bodies)
  .map((id) => JSON.stringify({ custom_id: id, method: 'POST', url: '/v1/chat/completions', body: request(id) }))
  .join('\n') + '\n';

const file = await client.files.create({ file: await toFile(Buffer.from(jsonl), 'requests.jsonl'), purpose: 'batch' });
assert.equal(file.purpose, 'batch');
assert.equal(file.bytes, Buffer.byteLength(jsonl));
assert.equal((await client.files.retrieve(file.id)).filename, 'requests.jsonl');

let batch = await client.batches.create({
  input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h', metadata: { run: 'sdk' },
});
assert.equal(batch.metadata.run, 'sdk');
const deadline = Date.now() + 120_000;
while (!['completed', 'failed', 'expired', 'cancelled'].includes(batch.status)) {
  assert.ok(Date.now() < deadline, `batch still ${batch.status}`);
  await new Promise((resolve) => setTimeout(resolve, 50));
  batch = await client.batches.retrieve(batch.id);
}
assert.equal(batch.status, 'completed', JSON.stringify(batch));
assert.deepEqual(batch.request_counts, { total: 3, completed: 3, failed: 0 });
assert.equal(batch.error_file_id, null);

const output = (await (await client.files.content(batch.output_file_id)).text()).trim().split('\n').map(JSON.parse);
assert.deepEqual(output.map((o) => o.custom_id), ['a', 'b', 'c']);
for (const o of output) {
  assert.equal(o.response.status_code, 200);
  assert.equal(o.error, null);
  const direct = await client.chat.completions.create(request(o.custom_id));
  assert.equal(o.response.body.usage.completion_tokens, bodies[o.custom_id]);
  assert.equal(o.response.body.choices[0].message.content, direct.choices[0].message.content);
}
console.log('batch file round trip ok:', batch.id);

const listed = [];
for await (const b of client.batches.list({ limit: 1 })) listed.push(b.id); // pages of one, through `after`
assert.ok(listed.includes(batch.id));
await assert.rejects(client.batches.cancel(batch.id), (e) => e.status === 409);
await assert.rejects(
  client.files.create({ file: await toFile(Buffer.from('{"custom_id":"x"}\n'), 'bad.jsonl'), purpose: 'batch' }),
  (e) => e.status === 400 && e.param === 'file' && e.message.includes('bad.jsonl line 1'));
assert.equal((await client.files.del(file.id)).deleted, true);
console.log('BATCH OK');
