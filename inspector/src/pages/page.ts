import type { TraceEntry } from '../api.js';

/** A page of the inspector: drawn once, refreshed on each live tick while it is shown. */
export interface Page {
  /** The page's main element, filled by render. */
  render(root: HTMLElement, params: readonly string[]): Promise<void>;
  /** Redraws the live parts (not forms or the message browser the user is using). */
  refresh?(): Promise<void>;
  onTrace?(entries: readonly TraceEntry[]): void;
  dispose?(): void;
}
