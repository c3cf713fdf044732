/** The UTF-16 offsets of `text` that are not inside a surrogate pair. */
export const boundaries = (text: string): number[] => {
  const out = [0];
  for (const char of text) out.push(out[out.length - 1]! + char.length);
  return out;
};
