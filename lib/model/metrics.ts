// Classification metrics shared by the eval CLI and tests.

export function argmax(row: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
  return best;
}

export function softmax(logits: ArrayLike<number>, temperature = 1): number[] {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i] / temperature);
  const e = Array.from(logits, (x) => Math.exp(x / temperature - max));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

export function accuracy(pred: number[], truth: number[]): number {
  if (pred.length === 0) return NaN;
  let ok = 0;
  for (let i = 0; i < pred.length; i++) if (pred[i] === truth[i]) ok++;
  return ok / pred.length;
}

/** Macro-averaged F1 over the classes present in `truth`. */
export function macroF1(pred: number[], truth: number[]): number {
  const classes = [...new Set(truth)];
  let sum = 0;
  for (const c of classes) {
    let tp = 0, fp = 0, fn = 0;
    for (let i = 0; i < pred.length; i++) {
      if (pred[i] === c && truth[i] === c) tp++;
      else if (pred[i] === c) fp++;
      else if (truth[i] === c) fn++;
    }
    sum += tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
  }
  return classes.length ? sum / classes.length : NaN;
}

/** Expected calibration error of the top-1 confidence (equal-width bins, as in training). */
export function expectedCalibrationError(probs: number[][], truth: number[], bins = 15): number {
  const n = probs.length;
  const conf = new Array(bins).fill(0), acc = new Array(bins).fill(0), count = new Array(bins).fill(0);
  for (let i = 0; i < n; i++) {
    const p = argmax(probs[i]);
    const c = probs[i][p];
    const b = Math.min(bins - 1, Math.max(0, Math.ceil(c * bins) - 1));
    conf[b] += c;
    acc[b] += p === truth[i] ? 1 : 0;
    count[b]++;
  }
  let e = 0;
  for (let b = 0; b < bins; b++) if (count[b]) e += (count[b] / n) * Math.abs(acc[b] / count[b] - conf[b] / count[b]);
  return e;
}
