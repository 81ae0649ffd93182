// Small helpers shared by the client's modules.

const SNOWFLAKE_EPOCH_MS = 1_704_067_200_000n;

/** Orders message IDs (decimal Snowflake strings; too large for a JavaScript number). */
export function compareIds(a, b) {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Milliseconds since the Unix epoch at which a Snowflake ID was issued. */
export function snowflakeTime(id) {
  return Number((BigInt(id) >> 22n) + SNOWFLAKE_EPOCH_MS);
}

/** A random send nonce (hex; works outside secure contexts, unlike crypto.randomUUID). */
export function newNonce() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** Short time for today's messages, date and time for older ones. */
export function formatTime(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const today = new Date();
  return date.toDateString() === today.toDateString() ? timeFormat.format(date) : dateTimeFormat.format(date);
}

/** Runs `fn` at most once per `ms`, trailing call included. */
export function coalesce(fn, ms) {
  let timer = null;
  return () => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      fn();
    }, ms);
  };
}

/** Runs async tasks with at most `limit` in flight. */
export async function mapLimited(items, limit, task) {
  const results = new Array(items.length);
  let next = 0;
  async function worker() {
    while (next < items.length) {
      const index = next++;
      try {
        results[index] = await task(items[index]);
      } catch (e) {
        results[index] = e;
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export const USERNAME = /^[a-z0-9_.-]{3,32}$/;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
