/** The server's counters, rendered in the Prometheus text format by {@link renderMetrics}. */
export interface Counters {
  connections: number;
  documentsLoaded: number;
  messagesReceived: number;
  messagesSent: number;
  bytesReceived: number;
  bytesSent: number;
  presenceForwarded: number;
  readonly refused: Map<string, number>;
  readonly store: Map<string, { count: number; seconds: number; errors: number }>;
}

export function newCounters(): Counters {
  return { connections: 0, documentsLoaded: 0, messagesReceived: 0, messagesSent: 0, bytesReceived: 0, bytesSent: 0, presenceForwarded: 0, refused: new Map(), store: new Map() };
}

export function countRefusal(counters: Counters, reason: string): void {
  counters.refused.set(reason, (counters.refused.get(reason) ?? 0) + 1);
}

/** Runs one store operation, recording its latency and failures under `op`. */
export async function timed<T>(counters: Counters, op: string, run: () => Promise<T>): Promise<T> {
  const start = performance.now();
  let entry = counters.store.get(op);
  if (entry === undefined) counters.store.set(op, (entry = { count: 0, seconds: 0, errors: 0 }));
  try {
    return await run();
  } catch (error) {
    entry.errors++;
    throw error;
  } finally {
    entry.count++;
    entry.seconds += (performance.now() - start) / 1000;
  }
}

/** Prometheus text exposition format, version 0.0.4. */
export function renderMetrics(c: Counters): string {
  const lines: string[] = [];
  const metric = (name: string, type: string, help: string, samples: Array<[string, number]>) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`);
  };
  metric('convergent_connections', 'gauge', 'Open client connections.', [['', c.connections]]);
  metric('convergent_documents_loaded', 'gauge', 'Documents held in memory.', [['', c.documentsLoaded]]);
  metric('convergent_messages_received_total', 'counter', 'Data frames received from clients.', [['', c.messagesReceived]]);
  metric('convergent_messages_sent_total', 'counter', 'Data frames sent to clients.', [['', c.messagesSent]]);
  metric('convergent_bytes_received_total', 'counter', 'Bytes received from clients.', [['', c.bytesReceived]]);
  metric('convergent_bytes_sent_total', 'counter', 'Bytes sent to clients.', [['', c.bytesSent]]);
  metric('convergent_presence_forwarded_total', 'counter', 'Presence messages accepted and forwarded to the other connections of their document.', [['', c.presenceForwarded]]);
  metric('convergent_refused_total', 'counter', 'Connections, messages and sockets refused or closed, by reason.', [...c.refused].map(([reason, n]) => [`{reason="${reason}"}`, n]));
  const ops = [...c.store];
  metric('convergent_store_seconds', 'summary', 'Store operation latency.', ops.flatMap(([op, s]): Array<[string, number]> => [[`_sum{op="${op}"}`, s.seconds], [`_count{op="${op}"}`, s.count]]));
  metric('convergent_store_errors_total', 'counter', 'Store operations that failed.', ops.map(([op, s]) => [`{op="${op}"}`, s.errors]));
  return `${lines.join('\n')}\n`;
}
