// The one line a load test prints while it runs, so the operator sees at once whether the pipeline
// keeps up (sent vs processed, lag, p99). On a terminal the line is rewritten in place; in CI logs
// (no TTY) a full line every few seconds keeps the log readable instead of thousands of \r frames.

export interface ProgressState {
  /** Seconds since the load started, and the planned length of the run. */
  t: number;
  durationS: number;
  sent: number;
  targetPerS: number;
  sentPerS: number;
  processedPerS: number;
  lag: number;
  updatesP99: number | null;
  alertsP99: number | null;
  errors: number;
  /** Busy CPU of the whole machine, % of one core. */
  machineCpu: number;
}

const int = (n: number): string => (Number.isFinite(n) ? String(Math.round(n)) : '?');

/** A latency for the progress line: "0.45 ms", "8.1 ms", "123 ms"; "-" when nothing arrived. */
function ms(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '-';
  if (v < 1) return `${v.toFixed(2)} ms`;
  if (v < 100) return `${v.toFixed(1)} ms`;
  return `${Math.round(v)} ms`;
}

/** `[ 12/60s] 10000/s target  9998/s sent  9990/s processed  lag 120  p99 upd 8.1 ms  alert 9.3 ms  err 0  cpu 143%` */
export function formatProgress(s: ProgressState): string {
  const total = int(s.durationS);
  const t = int(s.t).padStart(Math.max(3, total.length));
  return (
    `[${t}/${total}s] ${int(s.targetPerS)}/s target  ${int(s.sentPerS)}/s sent  ${int(s.processedPerS)}/s processed  ` +
    `lag ${int(s.lag)}  p99 upd ${ms(s.updatesP99)}  alert ${ms(s.alertsP99)}  err ${int(s.errors)}  cpu ${int(s.machineCpu)}%`
  );
}

/** Where the printer writes; process.stdout by default. */
export interface ProgressStream {
  write(chunk: string): boolean;
  isTTY?: boolean;
}

export class ProgressPrinter {
  private readonly stream: ProgressStream;
  private readonly tty: boolean;
  private readonly everyS: number;
  /** Whether the TTY line holds an unfinished progress line. */
  private open = false;
  private lastPrintedT = Number.NEGATIVE_INFINITY;
  private pending: string | null = null;

  /** `tty` overrides the stream's own isTTY; `everyS` is the interval of full lines without a TTY. */
  constructor(opts: { stream?: ProgressStream; tty?: boolean; everyS?: number } = {}) {
    this.stream = opts.stream ?? process.stdout;
    this.tty = opts.tty ?? this.stream.isTTY === true;
    this.everyS = opts.everyS ?? 5;
  }

  update(s: ProgressState): void {
    const line = formatProgress(s);
    if (this.tty) {
      this.stream.write(`\r${line}\x1b[K`);
      this.open = true;
      return;
    }
    if (s.t - this.lastPrintedT >= this.everyS) {
      this.stream.write(`${line}\n`);
      this.lastPrintedT = s.t;
      this.pending = null;
    } else {
      this.pending = line;
    }
  }

  /** Prints a message on its own line without mangling the progress line (which the next update redraws). */
  log(message: string): void {
    this.stream.write(this.open ? `\r\x1b[K${message}\n` : `${message}\n`);
    this.open = false;
  }

  /** Ends the progress output: finishes the TTY line, or prints the last state not yet printed. */
  done(): void {
    if (this.open) this.stream.write('\n');
    else if (this.pending !== null) this.stream.write(`${this.pending}\n`);
    this.open = false;
    this.pending = null;
  }
}
