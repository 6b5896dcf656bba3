// What one load-test run reports: the runner fills a RunReport, the report writer turns it into
// loadtest/results/<scenario>-<stamp>.{json,md,svg}. All latencies are milliseconds, measured from
// the *intended* send time of an event (open loop), so a stalled producer cannot hide latency.

export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

/** One process whose CPU and memory the run sampled (servers, nodes, gateway, the load tester). */
export interface ProcessUsage {
  name: string;
  pid: number;
  /** Average and peak CPU over the run, in % of one core (200 = both cores of a 2-core box). */
  cpuAvgPct: number;
  cpuMaxPct: number;
  /**
   * Average time its threads were ready to run but waited for a core, in the same unit (40 = 400 ms
   * of waiting a second); null where the kernel keeps no schedstats. Absent in older reports.
   */
  cpuWaitAvgPct?: number | null;
  rssMaxMb: number;
}

/** One second of the run. */
export interface SecondSample {
  /** Seconds since the load started. */
  t: number;
  /** Events the schedule asked for in this second, and what the producer actually sent. */
  target: number;
  sent: number;
  /** Events the pipeline processed in this second (from the nodes' reported offsets). */
  processed: number;
  /** Consumer lag (records not yet processed) at the end of the second. */
  lag: number;
  /** Latency of what arrived at the WebSocket client in this second; null when nothing did. */
  updates: LatencySummary | null;
  alerts: LatencySummary | null;
  /** CPU % of one core per process name, and the machine's total (100 = one core). */
  cpu: Record<string, number>;
  /** Run-queue wait per process name, % of one core (see ProcessUsage.cpuWaitAvgPct). Absent in older reports. */
  cpuWait?: Record<string, number>;
  /** % of the second in which some task on the machine waited for a CPU (PSI "some"); null without PSI. Absent in older reports. */
  cpuPressurePct?: number | null;
  rssMb: Record<string, number>;
}

export interface OracleCheck {
  /** False when the run did not check (then `detail` says why). */
  checked: boolean;
  ok: boolean;
  /** Durable results (final/late windows, pattern matches) the oracle says must arrive. */
  expected: number;
  received: number;
  missing: number;
  unexpected: number;
  /** Results that arrived with different values than the oracle's. */
  wrongValues: number;
  duplicates: number;
  /** Bad records the producer sent, and how many the DLQ topic holds for this run. */
  dlqExpected: number;
  dlqReceived: number;
  detail: string[];
}

export interface RunReport {
  scenario: string;
  description: string;
  /** ISO time the load started. */
  startedAt: string;
  durationS: number;
  /** The first seconds of load: in `seconds` (and the chart), not in `latency`. */
  warmupS: number;
  machine: { cpus: number; cpuModel: string; memGiB: number; node: string; kernel: string };
  /** The pipeline and load settings of the run (rates, node count, intervals, …). */
  settings: Record<string, string | number | boolean>;
  events: {
    targetPerS: number;
    /** Mean events sent per measured second (after the warm-up). */
    achievedPerS: number;
    sent: number;
    processed: number;
    badRecords: number;
    dlq: number;
    /** Errors seen: producer send failures, WebSocket disconnects, node crashes, … */
    errors: number;
    /** errors / sent, as a fraction (0.001 = 0.1 %); the report prints it as a percentage. */
    errorRate: number;
  };
  latency: {
    /** Event sent → first WebSocket update (any window result) whose values include it. */
    updates: LatencySummary;
    /** Completing event sent → pattern alert at the WebSocket client. */
    alerts: LatencySummary;
    /**
     * The same, measured from when the load generator sent each event's request instead of when it
     * was due: the pipeline's share, the generator's own lateness left out. Absent in older reports.
     */
    fromSend?: { updates: LatencySummary; alerts: LatencySummary };
    /** Each event's due time → its request sent: the producer's linger plus the generator's lateness. Absent in older reports. */
    generatorLateness?: LatencySummary;
  };
  lag: { max: number; final: number };
  processes: ProcessUsage[];
  /** Sum of the average CPU of every sampled process, % of one core. */
  cpuTotalAvgPct: number;
  /** Average % of the time some task on the machine waited for a CPU (PSI "some"); null without PSI. Absent in older reports. */
  cpuPressureAvgPct?: number | null;
  oracle: OracleCheck;
  /** Kafka's own producer limit on this machine (infra/perf), and achieved / limit. */
  kafkaLimit: { producePerS: number; ratio: number } | null;
  /** `max` scenario: the highest rate that held both bounds, and what broke at the next step. */
  knee: { ratePerS: number; reason: string; steps: Array<{ ratePerS: number; p99: number; lagGrowthPerS: number; ok: boolean }> } | null;
  /** `fanout` scenario: clients, how many were slow, and what the gateway did to them. */
  fanout: { clients: number; slowClients: number; framesReceived: number; conflated: number; dropped: number; disconnected: number } | null;
  seconds: SecondSample[];
  /** Free-form observations the runner wants in the report (what happened, what was killed, …). */
  notes: string[];
}
