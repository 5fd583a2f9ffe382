// Word-level differences between an old text and a new one, for merges and supersedes: the
// longest common subsequence of words, so a reviewer sees which words a change replaced.

/** Words and the whitespace after each, so the pieces join back into the texts. */
function words(text) {
  return String(text ?? "").match(/\S+\s*/g) ?? [];
}

/**
 * The pieces of `after` against `before`: [{kind: "same"|"removed"|"added", text}], in reading
 * order. Texts of a few hundred words are compared in full (a table of their lengths); longer
 * ones fall back to whole-text replacement, which is still correct, only coarser.
 */
export function wordDiff(before, after) {
  const a = words(before);
  const b = words(after);
  const key = (word) => word.trim();
  if (a.length * b.length > 250000) {
    return [
      { kind: "removed", text: a.join("") },
      { kind: "added", text: b.join("") },
    ].filter((piece) => piece.text);
  }
  // lengths[i][j]: the longest common subsequence of a[i..] and b[j..].
  const lengths = Array.from({ length: a.length + 1 }, () => new Uint32Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lengths[i][j] =
        key(a[i]) === key(b[j])
          ? lengths[i + 1][j + 1] + 1
          : Math.max(lengths[i + 1][j], lengths[i][j + 1]);
    }
  }
  const pieces = [];
  const push = (kind, text) => {
    const last = pieces[pieces.length - 1];
    if (last && last.kind === kind) last.text += text;
    else pieces.push({ kind, text });
  };
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (key(a[i]) === key(b[j])) {
      push("same", b[j]);
      i++;
      j++;
    } else if (lengths[i + 1][j] >= lengths[i][j + 1]) {
      push("removed", a[i++]);
    } else {
      push("added", b[j++]);
    }
  }
  while (i < a.length) push("removed", a[i++]);
  while (j < b.length) push("added", b[j++]);
  return pieces;
}
