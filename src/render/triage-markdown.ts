import { lockCycle } from '../analyzers/triage/cycle.js';
import type { SignatureGroup } from '../analyzers/triage/group.js';
import type { Report } from '../model/report.js';
import { counted } from '../util/plural.js';
import { formatFrame, formatLock } from './frame.js';
import { acquiringLabel, chainExists, heldHead, heldLocksShown } from './triage-text.js';

/** Markdown for a bug tracker or a review comment. Code spans keep lock names literal. */
export function reportMarkdown(report: Report, path: string): string {
  const code = (s: string) => `\`${s.replaceAll('`', "'")}\``;
  const out = [`### ${report.title}${report.corrupted ? ' (corrupted)' : ''}`, ''];
  out.push(`- **where**: ${code(`${path}:${report.startLine}`)}`);
  out.push(`- **kind**: ${report.kind} (${code(report.headline.trim())})`);
  if (report.task !== null) out.push(`- **task**: ${code(`${report.task.comm}/${report.task.pid}`)}`);
  if (report.kernelRelease !== null) out.push(`- **kernel**: ${code(report.kernelRelease)}`);
  out.push(`- **signature**: ${code(report.signature)}`);
  const cycle = lockCycle(report);
  const chain = chainExists(report, cycle.length);
  if (chain.length > 0) out.push(`- **chain**: ${code(chain.join(' --> '))}`);
  if (report.inconsistentUsage !== null) {
    const { from, to } = report.inconsistentUsage;
    out.push(`- **usage**: ${code(`{${from}} -> {${to}}`)}`);
  }
  if (report.acquiring !== null)
    out.push(`- **${acquiringLabel(report.kind)}**: ${code(formatLock(report.acquiring))}`);
  for (const l of report.held) out.push(`- **held**: ${code(formatLock(l))}`);
  const { shown, others } = heldLocksShown(report);
  for (const block of shown) {
    const locks = block.printed ? block.locks.map((l) => code(l.name)).join(', ') : '(not printed: running)';
    out.push(`- **locks held**: ${heldHead(block)}${locks === '' ? '' : `: ${locks}`}`);
  }
  if (others > 0) out.push(`- **locks held**: also by ${counted(others, 'other task')} (see --json)`);
  if (report.guiltyFrame !== null) out.push(`- **guilty frame**: ${code(formatFrame(report.guiltyFrame))}`);
  if (cycle.length > 0) {
    out.push('', '```', [...cycle.map((e) => e.from), cycle[cycle.length - 1]!.to].join(' --> '));
    for (const e of cycle) out.push(`  ${e.from} --> ${e.to}  at ${formatFrame(e.site)}`);
    out.push('```');
  }
  return out.join('\n');
}

export function groupsMarkdown(groups: SignatureGroup[]): string {
  const rows = groups.map(
    (g) => `| ${g.count} | ${g.title.replaceAll('|', '\\|')} | \`${g.signature.replaceAll('|', '\\|')}\` |`,
  );
  return ['| count | title | signature |', '| ---: | --- | --- |', ...rows].join('\n');
}
