// Drives the engine's OpenAI-compatible server through the official SDK; exits non-zero on the first failure.
// OpenAiNodeSdkTest starts the server and passes BASE_URL and MODEL.
import OpenAI from 'openai';
import assert from 'node:assert/strict';

const client = new OpenAI({ baseURL: process.env.BASE_URL, apiKey: 'sdk-test', maxRetries: 0 });
const model = process.env.MODEL;
const messages = [{ role: 'user', content: 'Weather in Oslo?' }];
const weather = {
  type: 'object',
  properties: { city: { type: 'string', maxLength: 10 }, unit: { type: 'string', enum: ['C', 'F'] } },
  required: ['city', 'unit'],
  additionalProperties: false,
};
const tools = [{ type: 'function', function: { name: 'get_weather', parameters: weather } }];

// Tool call round trip: a required call, its result sent back in the tool role, an answer.
const called = await client.chat.completions.create({
  model, messages, tools, tool_choice: 'required', max_tokens: 100, temperature: 1, seed: 5,
});
assert.equal(called.choices[0].finish_reason, 'tool_calls');
const call = called.choices[0].message.tool_calls[0];
assert.equal(call.function.name, 'get_weather');
const args = JSON.parse(call.function.arguments);
assert.deepEqual(Object.keys(args).sort(), ['city', 'unit']);
const answer = await client.chat.completions.create({
  model, tools, max_tokens: 5, temperature: 0,
  messages: [...messages, called.choices[0].message, { role: 'tool', tool_call_id: call.id, content: '4 C' }],
});
assert.equal(typeof answer.choices[0].message.content, 'string');
console.log('tool call round trip ok:', call.function.arguments);

// Streamed tool call deltas, assembled as SDK users do.
const stream = await client.chat.completions.create({
  model, messages, tools, tool_choice: { type: 'function', function: { name: 'get_weather' } },
  max_tokens: 100, temperature: 1, seed: 6, stream: true,
});
let streamedArgs = '';
let finish = null;
for await (const chunk of stream) {
  for (const tc of chunk.choices[0]?.delta?.tool_calls ?? []) streamedArgs += tc.function?.arguments ?? '';
  finish = chunk.choices[0]?.finish_reason ?? finish;
}
assert.equal(finish, 'tool_calls');
assert.deepEqual(Object.keys(JSON.parse(streamedArgs)).sort(), ['city', 'unit']);
console.log('streamed tool call ok:', streamedArgs);

// json_schema output parses and validates.
for (const seed of [1, 2, 3]) {
  const r = await client.chat.completions.create({
    model, messages, max_tokens: 150, temperature: 1, seed,
    response_format: { type: 'json_schema', json_schema: { name: 'weather', strict: true, schema: weather } },
  });
  const value = JSON.parse(r.choices[0].message.content);
  assert.ok(value.city.length <= 10 && ['C', 'F'].includes(value.unit), r.choices[0].message.content);
}
console.log('json_schema ok');

// Logprobs: each <= 0, alternatives sorted, their probabilities sum to at most 1.
const lp = await client.chat.completions.create({
  model, messages, max_tokens: 6, temperature: 0, logprobs: true, top_logprobs: 3,
});
assert.equal(lp.choices[0].logprobs.content.length, 6);
for (const e of lp.choices[0].logprobs.content) {
  assert.ok(e.logprob <= 0);
  const top = e.top_logprobs.map((t) => t.logprob);
  assert.deepEqual(top, [...top].sort((a, b) => b - a));
  assert.ok(top.reduce((s, l) => s + Math.exp(l), 0) <= 1 + 1e-6);
}
console.log('logprobs ok');

// A frequency penalty changes greedy output towards more distinct characters.
const text = async (extra) => (await client.completions.create({
  model, prompt: 'Once upon', max_tokens: 60, temperature: 0, ...extra,
})).choices[0].text;
const plain = await text({});
const penalised = await text({ frequency_penalty: 2 });
assert.notEqual(plain, penalised);
assert.ok(new Set(penalised).size > new Set(plain).size, `${penalised} vs ${plain}`);
console.log('penalty ok');

// n choices: each has its index, usage counts the prompt once; the same prompt again reports cached tokens.
const story = 'Once upon a time a little fox ran through the forest to see the river. '.repeat(3);
const many = await client.completions.create({ model, prompt: story, max_tokens: 4, temperature: 1, seed: 3, n: 3 });
assert.deepEqual(many.choices.map((c) => c.index), [0, 1, 2]);
const full = many.choices.filter((c) => c.finish_reason === 'length').length;
assert.ok(many.usage.completion_tokens >= 4 * full && many.usage.completion_tokens <= 12, JSON.stringify(many.usage));
const again = await client.completions.create({ model, prompt: story, max_tokens: 2, temperature: 0 });
assert.equal(again.usage.prompt_tokens, many.usage.prompt_tokens);
assert.ok(again.usage.prompt_tokens_details.cached_tokens > 0, JSON.stringify(again.usage));
const indexes = new Set();
const streamed = await client.chat.completions.create({ model, messages, max_tokens: 3, n: 2, seed: 4, stream: true });
for await (const chunk of streamed) for (const c of chunk.choices) indexes.add(c.index);
assert.deepEqual([...indexes].sort(), [0, 1]);
console.log('n and cached_tokens ok:', JSON.stringify(again.usage));

// Refusals name the parameter.
await assert.rejects(client.completions.create({ model, prompt: 'x', best_of: 2 }),
  (e) => e.status === 400 && e.param === 'best_of');
await assert.rejects(client.chat.completions.create({ model: 'gpt-4o', messages }), (e) => e.status === 404);
console.log('ALL OK');
