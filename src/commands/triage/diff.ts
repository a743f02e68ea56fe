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
    // As in triage, a file of a batch that is no console log is a diagnostic; a side with no console
    // log at all cannot be compared: exit 2 rather than calling its signatures gone.
    const side = async (input: string, grouper: SignatureGrouper) => {
      let usable = 0;
      let files = 0;
      let last = input;
      await triageInputs([input], {
        known: null,
        onReport: (r, p) => grouper.add(r, p),
        onFileDone: (file: TriagedFile) => {
          files++;
          last = file.path;
          if (file.usable) usable++;
          else this.warnDiagnostics(file.path, file.diagnostics);
        },
      });
      if (usable === 0 && files === 1) throw new InputError(`${last}: not a kernel console log`, last, 1);
      if (usable === 0)
        throw new InputError(`${input}: none of its ${files} logs is a kernel console log`, input);
    };
    await side(args.base, base);
    await side(args.head, head);
    const diff = diffSignatures(base.groups(), head.groups(), known.signatures);
    if (!this.jsonEnabled()) this.out(signatureDiffText(diff));
    // A checking command: exit 1 on a new signature (set here so the JSON document still prints).
    if (diff.new.length > 0) process.exitCode = 1;
    return { schemaVersion: 1, ...diff };
  }
}
