/**
 * The control plane of a cluster (one broker or several): faults, brokers stopped and started, virtual time, waits, reset
 * and named snapshots behind one object. The fixture API (MiniKafka), the HTTP API (http-api.ts) and
 * `minikafka ctl` are its three doors; none of them holds state of its own.
 */
import type { ControlTarget } from './control-target.js';
import type { Clock } from '../../util/clock.js';
import { FaultInjector } from './fault-injector.js';
import type { FaultRuleView, FaultSpec } from './fault-rules.js';
import type { ChaosEvent, ChaosSettings } from './chaos.js';
import { clockControlFor } from './clock-control.js';
import type { ClockControl, ClockState } from './clock-control.js';
import { Waiters } from './waiters.js';
import type { GroupSnapshot, GroupWait, TransactionSnapshot, WaitEvents } from './waiters.js';
import { topicNameOf, waitSourceOf } from './cluster-view.js';
import { checkResettable, resetCluster } from './reset.js';
import { clusterSettings } from './cluster-settings.js';
import type { Restorable } from './restorable.js';
import type { DeclaredTopic, ResetReport } from './reset.js';
import { ControllableClock, ManualClock } from '../../util/clock.js';
import { BrokerControl } from './broker-control.js';
import type { BrokerView } from './broker-control.js';
import { SnapshotStore } from './snapshots.js';
import type { SnapshotInfo, SnapshotRestoreReport } from './snapshots.js';

export interface ChaosStatus extends ChaosSettings {
  readonly requests: number;
  readonly injected: number;
  readonly events: readonly ChaosEvent[];
}

/** Faults: rules as data, and seeded chaos. */
export interface FaultControl {
  /** Adds a rule (see fault-rules.ts for the fields); returns it with its id. */
  add(spec: FaultSpec): FaultRuleView;
  /** Adds several rules, all or none (the first invalid one throws and none is added). */
  addAll(specs: readonly FaultSpec[]): FaultRuleView[];
  list(): FaultRuleView[];
  get(id: number): FaultRuleView | undefined;
  /** Removes a rule (a request it holds goes on); false if there was none. */
  remove(id: number): boolean;
  /** Removes every rule and stops chaos; returns how many rules there were. */
  clear(): number;
  /** Starts (or restarts, with a fresh sequence) seeded chaos; null stops it. */
  chaos(settings: ChaosSettings | null): void;
  chaosStatus(): ChaosStatus | null;
}

export interface WaitControl {
  group(groupId: string, wait?: GroupWait): Promise<GroupSnapshot>;
  offset(topic: string, partition: number, offset: number, timeoutMs?: number): Promise<{ topic: string; partition: number; highWatermark: number }>;
  transaction(transactionalId: string, timeoutMs?: number): Promise<TransactionSnapshot>;
}

/** Named snapshots (snapshots.ts): save the state a test prepared, restore it any number of times. */
export interface SnapshotControl {
  /** Saves the cluster as it is now under `name` (replacing a snapshot of that name). */
  save(name: string): SnapshotInfo;
  /** Puts the cluster back as saved; NOT_FOUND for an unknown name. */
  restore(name: string): Promise<SnapshotRestoreReport & { faults: number; brokersStarted: number; ms: number }>;
  list(): SnapshotInfo[];
  /** NOT_FOUND for an unknown name. */
  get(name: string): SnapshotInfo;
  /** False when there was none of that name. */
  delete(name: string): boolean;
}

export interface ControlPlaneOptions {
  readonly broker: ControlTarget;
  readonly clock: Clock;
  readonly chaos?: ChaosSettings;
  /** Topics declared at start: a reset brings them back, empty. */
  readonly declaredTopics?: readonly DeclaredTopic[];
}

export class ControlPlane {
  readonly faults: FaultControl;
  readonly clock: ClockControl;
  readonly waitFor: WaitControl;
  readonly #broker: ControlTarget;
  readonly #injector: FaultInjector;
  readonly #waiters: Waiters;
  readonly #opts: ControlPlaneOptions;
  #detach: (() => void)[] | null = null;
  /** What a reset puts back as at start: the cluster's settings, then each broker's own state. */
  readonly #settings: readonly Restorable[];
  /** Brokers: list, stop, start; partition leaders: show, move. */
  readonly brokers: BrokerControl;
  readonly snapshots: SnapshotControl;

  constructor(opts: ControlPlaneOptions) {
    const broker = opts.broker;
    this.#broker = broker;
    this.#opts = opts;
    const injector = new FaultInjector({ clock: opts.clock, topicNameOf: topicNameOf(broker), canAnswerError: (k) => broker.canAnswerError(k) });
    this.#injector = injector;
    const waiters = new Waiters(waitSourceOf(broker), waitEventsOf(broker, opts.clock));
    this.#waiters = waiters;
    const sync = <T>(v: T): T => (this.#syncInterceptor(), v);
    this.faults = {
      add: (spec) => sync(injector.add(spec)),
      addAll: (specs) => {
        const added: FaultRuleView[] = [];
        try {
          for (const spec of specs) added.push(injector.add(spec));
        } catch (e) {
          for (const r of added) injector.remove(r.id);
          throw e;
        }
        return sync(added);
      },
      list: () => injector.list(),
      get: (id) => injector.get(id),
      remove: (id) => sync(injector.remove(id)),
      clear: () => sync(injector.clear()),
      chaos: (settings) => sync(injector.setChaos(settings)),
      chaosStatus: () => injector.chaos?.status() ?? null,
    };
    const clock = clockControlFor(opts.clock);
    // Waits on groups and transactions see what an advance did (a session expiry) at once.
    const moved = (s: ClockState): ClockState => (waiters.recheck(), s);
    this.clock = {
      state: () => clock.state(),
      freeze: () => clock.freeze(),
      advance: (ms) => moved(clock.advance(ms)),
      resume: () => moved(clock.resume()),
    };
    this.waitFor = {
      group: (groupId, wait) => waiters.group(groupId, wait),
      offset: (topic, partition, offset, timeoutMs) => waiters.offset(topic, partition, offset, timeoutMs),
      transaction: (id, timeoutMs) => waiters.transaction(id, timeoutMs),
    };
    this.brokers = new BrokerControl(broker);
    this.#settings = [...clusterSettings(broker.cluster, broker.brokers.map((b) => b.nodeId)), ...broker.brokerState];
    const store = new SnapshotStore(broker, this.#settings);
    this.snapshots = {
      save: (name) => store.save(name),
      restore: async (name) => {
        // An unknown name changes nothing: no fault is cleared, no broker started.
        store.get(name);
        return this.#fromClean((faults, brokersStarted) => ({ ...store.restore(name), faults, brokersStarted }));
      },
      list: () => store.list(),
      get: (name) => store.get(name),
      delete: (name) => store.delete(name),
    };
    if (opts.chaos !== undefined) this.faults.chaos(opts.chaos);
  }

  /**
   * Back to the broker as it started (see reset.ts): every broker running, declared topics only,
   * and empty; no groups, offsets, transactions or fault rules; configs, quotas, ACLs and
   * credentials as at start; chaos as configured at start, its sequence from the start again; a
   * frozen clock resumed.
   */
  reset(): Promise<ResetReport> {
    return this.#fromClean((faults, brokersStarted) => ({ ...resetCluster(this.#broker, this.#opts.declaredTopics ?? [], this.#settings), faults, brokersStarted }));
  }

  /**
   * What reset and a snapshot's restore share: no fault rules, every broker running (before the
   * topics come back, so that they are placed over all of them), then `cluster`, then chaos as
   * configured at start and a frozen clock resumed.
   */
  async #fromClean<R>(cluster: (faults: number, brokersStarted: number) => R): Promise<R & { ms: number }> {
    const started = performance.now();
    checkResettable(this.#broker);
    const faults = this.#injector.clear();
    const stopped = this.#broker.brokers.filter((b) => !b.running);
    for (const b of stopped) await b.start();
    const out = cluster(faults, stopped.length);
    if (this.#opts.chaos !== undefined) this.#injector.setChaos(this.#opts.chaos);
    this.#syncInterceptor();
    if (this.#opts.clock instanceof ControllableClock) this.#opts.clock.resume();
    this.#waiters.recheck();
    return { ...out, ms: performance.now() - started };
  }

  status(): { broker: { nodeId: number; bootstrapServers: string }; brokers: BrokerView[]; clock: ClockState; faults: number; chaos: Omit<ChaosStatus, 'events'> | null } {
    const chaos = this.faults.chaosStatus();
    return {
      broker: { nodeId: this.#broker.nodeId, bootstrapServers: this.#broker.bootstrapServers },
      brokers: this.brokers.list(),
      clock: this.clock.state(),
      faults: this.#injector.list().length,
      chaos: chaos === null ? null : { rate: chaos.rate, seed: chaos.seed, requests: chaos.requests, injected: chaos.injected },
    };
  }

  /** The interceptor is installed only while a rule or chaos exists: no cost on requests otherwise. */
  #syncInterceptor(): void {
    if (this.#injector.active && this.#detach === null) this.#detach = this.#broker.brokers.map((b) => b.intercept(this.#injector.interceptorFor(b.nodeId)));
    else if (!this.#injector.active && this.#detach !== null) {
      for (const detach of this.#detach) detach();
      this.#detach = null;
    }
  }

  /** Releases what the control plane holds (hung requests, waits' timers stay bounded). */
  close(): void {
    this.#injector.clear();
    this.#syncInterceptor();
  }
}

/**
 * What wakes the waits: every request to any broker (when it comes in and when it is answered:
 * groups and transactions change only then or on a timer) and the broker clock's timers. An
 * interceptor only while a wait is pending, so requests pay nothing otherwise.
 */
function waitEventsOf(target: ControlTarget, clock: Clock): WaitEvents {
  return (wake) => {
    const removers = target.brokers.map((b) =>
      b.intercept(() => {
        wake();
        return { action: 'pass', after: (response) => (wake(), response) };
      }),
    );
    if (clock instanceof ManualClock || clock instanceof ControllableClock) removers.push(clock.onTimersFired(wake));
    return () => removers.forEach((r) => r());
  };
}
