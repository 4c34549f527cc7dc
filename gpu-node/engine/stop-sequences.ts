// Stop sequences work on text, which arrives a token at a time. Text that might be the start of a
// stop sequence is held back until the next tokens show whether it is; a match ends generation and
// neither it nor anything after it is returned.
export class StopSequenceFilter {
  private held = "";

  constructor(private readonly stops: readonly string[]) {}

  /** Text safe to emit now, and whether a stop sequence was reached. */
  push(text: string): { text: string; stopped: boolean } {
    const buffered = this.held + text;
    let firstStop = -1;
    for (const stop of this.stops) {
      const at = buffered.indexOf(stop);
      if (at !== -1 && (firstStop === -1 || at < firstStop)) firstStop = at;
    }
    if (firstStop !== -1) {
      this.held = "";
      return { text: buffered.slice(0, firstStop), stopped: true };
    }
    const keep = this.longestPendingPrefix(buffered);
    this.held = buffered.slice(buffered.length - keep);
    return { text: buffered.slice(0, buffered.length - keep), stopped: false };
  }

  /** Whatever was held back, once generation ends without a stop. */
  flush(): string {
    const text = this.held;
    this.held = "";
    return text;
  }

  /** The longest tail of `text` that is a proper prefix of some stop sequence. */
  private longestPendingPrefix(text: string): number {
    let longest = 0;
    for (const stop of this.stops) {
      for (let n = Math.min(stop.length - 1, text.length); n > longest; n--) {
        if (text.endsWith(stop.slice(0, n))) {
          longest = n;
          break;
        }
      }
    }
    return longest;
  }
}
