/**
 * The text inside a prompt or completion (message contents, text parts, plain strings), for
 * token estimates: counting the JSON of a message array would count its punctuation too.
 */
export function textOf(value: unknown, depth = 0): string {
  if (typeof value === 'string') return value;
  if (value === null || typeof value !== 'object' || depth > 8) return '';
  if (Array.isArray(value)) {
    return value
      .map((item) => textOf(item, depth + 1))
      .filter((text) => text !== '')
      .join('\n');
  }
  const record = value as Record<string, unknown>;
  const parts: string[] = [];
  for (const key of ['content', 'text', 'input', 'arguments']) {
    const text = textOf(record[key], depth + 1);
    if (text !== '') parts.push(text);
  }
  return parts.join('\n');
}
