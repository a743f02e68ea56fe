import { diffSignatures, type SignatureDiff } from '../../analyzers/triage/diff.js';
import { SignatureGrouper } from '../../analyzers/triage/group.js';
import { LockscopeCommand } from '../../cli/base-command.js';
import { Args, Flags } from '../../cli/oclif.js';
import { InputError } from '../../ingest/input.js';
import type { TriagedFile } from '../../model/report.js';
import { signatureDiffText } from '../../render/triage-text.js';
import { loadKnown, triageInputs } from '../../services/triage.js';

export default class TriageDiff extends LockscopeCommand {
  static override args = {
    base: Args.string({
      ignoreStdin: true,
      description: 'log file or directory of logs (e.g. the v5 runs)',
      required: true,
    }),
    head: Args.string({
      ignoreStdin: true,
      description: 'log file or directory of logs (e.g. the v6 runs)',
      required: true,
    }),
  };
  static override description =
    'Compare the lock-report signatures of two sets of console logs: new in HEAD, gone from HEAD, in both. ' +
    'Exits 1 when HEAD has a signature BASE lacks (signatures in --known do not count), 0 otherwise.';
  static override enableJsonFlag = true;
  static override examples = [
    '<%= config.bin %> triage diff fixtures/runs/v5/dmesg.txt fixtures/runs/v6/dmesg.txt',
  ];
  static override flags = {
    known: Flags.string({ description: 'file of known signatures that never count as new' }),
  };
  static override summary = 'Splat signatures new, gone and common between two sets of logs';

  async run(): Promise<{ schemaVersion: 1 } & SignatureDiff> {
    const { args, flags } = await this.parse(TriageDiff);
    const known = await loadKnown(flags.known ?? null, this.diagnosticsSink);
    const [base, head] = [new SignatureGrouper(), new SignatureGrouper()];
    // A side with an input that is no console log cannot be compared: exit 2 rather than "gone".
    const unusable = (file: TriagedFile) => {
      if (file.usable) return;
      this.warnDiagnostics(file.path, file.diagnostics);
      throw new InputError(`${file.path}: not a kernel console log`, file.path, 1);
    };
    await triageInputs([args.base], {
      known: null,
      onReport: (r, p) => base.add(r, p),
      onFileDone: unusable,
    });
    await triageInputs([args.head], {
      known: null,
      onReport: (r, p) => head.add(r, p),
      onFileDone: unusable,
    });
    const diff = diffSignatures(base.groups(), head.groups(), known.signatures);
    if (!this.jsonEnabled()) this.out(signatureDiffText(diff));
    // A checking command: exit 1 on a new signature (set here so the JSON document still prints).
    if (diff.new.length > 0) process.exitCode = 1;
    return { schemaVersion: 1, ...diff };
  }
}
