// "Brukeren skriver …" for the advisor: the widget says the visitor is typing at most every
// 2.5 s while keys are pressed, and that they stopped 4 s after the last key (or at once on send).

const REPEAT_MS = 2500;
const STOP_AFTER_MS = 4000;

export class TypingNotifier {
  private lastSent = 0;
  private stopTimer: number | undefined;

  /** `send` tells the hub; `enabled` says whether anyone is listening (an advisor has the chat). */
  constructor(
    private readonly send: (typing: boolean) => void,
    private readonly enabled: () => boolean,
  ) {}

  update(typing: boolean): void {
    if (!this.enabled()) return;
    window.clearTimeout(this.stopTimer);
    const now = Date.now();
    if (typing) {
      this.stopTimer = window.setTimeout(() => this.update(false), STOP_AFTER_MS);
      if (now - this.lastSent < REPEAT_MS) return;
      this.lastSent = now;
    } else {
      this.lastSent = 0;
    }
    this.send(typing);
  }
}
