import { formatCount, formatTime } from '../format.js';
import { html, type SafeHtml } from '../html.js';

export interface LedgerHead {
  chain_id: string;
  seq: number;
  head: string;
  checkpointed_seq: number;
  updated_at: string;
}

export interface LedgerCheckpoint {
  id: number;
  at: string;
  checkpoint_hash: string;
  chains: number;
}

/** The last `spanledger verify` the console ran, kept in memory until the collector restarts. */
export interface LedgerVerifyResult {
  at: string;
  ok: boolean;
  summary: string;
  digest?: string;
}

export interface LedgerViewData {
  /** Undefined for a tenant token: the chain is readable with an admin token only. */
  heads: LedgerHead[] | undefined;
  checkpoint: LedgerCheckpoint | null;
  lastVerify: LedgerVerifyResult | undefined;
  /** The host gave the console a way to run verify. */
  canVerify: boolean;
}

/** The ledger view's body: each chain's head, the latest checkpoint, the last verify. */
export function renderLedger(data: LedgerViewData): SafeHtml {
  if (!data.heads) {
    return html`<p class="empty">The tamper-evident chain covers every tenant's rows, so it is shown to admin tokens only.</p>`;
  }
  const verify = data.lastVerify
    ? html`<p id="last-verify" class="${data.lastVerify.ok ? 'status-ok' : 'status-error'}">Last verify ${formatTime(data.lastVerify.at)}: ${data.lastVerify.summary}${data.lastVerify.digest ? html` <span class="mono">${data.lastVerify.digest}</span>` : ''}</p>`
    : html`<p id="last-verify" class="empty">Not verified since the collector started. Run <code>spanledger verify</code> to check every row, batch and checkpoint.</p>`;
  return html`<section><h2>Verification</h2>${verify}
${data.canVerify ? html`<form method="post" action="/ledger/verify"><button type="submit">Verify the ledger now</button></form>` : ''}</section>
<section><h2>Chain heads</h2>${
    data.heads.length === 0
      ? html`<p class="empty">No batches written yet.</p>`
      : html`<table id="ledger-heads"><thead><tr><th>chain</th><th class="num">batches</th><th>head</th><th class="num">checkpointed</th><th>updated</th></tr></thead><tbody>${data.heads.map(
          (h) =>
            html`<tr><td>${h.chain_id}</td><td class="num">${formatCount(h.seq)}</td><td class="mono">${h.head}</td><td class="num">${formatCount(h.checkpointed_seq)}</td><td>${formatTime(h.updated_at)}</td></tr>`,
        )}</tbody></table>`
  }</section>
<section><h2>Latest checkpoint</h2>${
    data.checkpoint
      ? html`<p id="checkpoint">#${data.checkpoint.id} at ${formatTime(data.checkpoint.at)} binding ${data.checkpoint.chains} chain(s): <span class="mono">${data.checkpoint.checkpoint_hash}</span></p>`
      : html`<p class="empty">No checkpoint yet (written every minute while spans arrive, and at shutdown).</p>`
  }</section>`;
}
