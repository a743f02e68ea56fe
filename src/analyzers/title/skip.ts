import { ownText } from '../../util/own-text.js';

/**
 * Frames that never name a bug: sanitizer/lockdep/printk/allocation plumbing,
 * generic lock primitives, string and list helpers, device teardown wrappers.
 * These are facts about which kernel functions sit on top of a report's stack
 * (the same facts syzkaller's skip list records), matched anywhere in the
 * function name.
 */
export const SKIP_FRAMES: readonly string[] = [
  '__sanitizer',
  '__asan',
  'kasan',
  'hwasan',
  '__msan',
  'kmsan',
  'kcsan_setup_watchpoint',
  'check_memory_region',
  'check_heap_object',
  'check_object',
  'read_word_at_a_time',
  '(?:read|write)_once_[a-z_]{0,40}nocheck',
  'print_address_description',
  'panic',
  'invalid_op',
  'report_bug',
  'fixup_bug',
  'print_report',
  'print_usage_bug',
  'do_error',
  '_trap$|do_trap',
  'show_stack',
  'dump_stack',
  'walk_stack',
  'dump_backtrace',
  'warn_slowpath',
  'warn_alloc',
  'warn_bogus',
  '__warn',
  'alloc_page',
  'k?v?(?:m|z|c)alloc',
  'krealloc',
  'kmem_cache',
  'allocate_slab',
  '__alloc_frozen_pages_noprof',
  'folio_(?:alloc|unlock)',
  'filemap_alloc_folio',
  '__filemap_get_folio',
  'find_or_create_page',
  'do_read_cache_folio',
  'read_cache_page',
  'pagecache_get_page',
  'grab_cache_page_write_begin',
  'slab_',
  'debug_object',
  'timer_is_static_object',
  'work_is_static_object',
  '__might_fault',
  'print_unlock',
  'imbalance_bug',
  'lockdep',
  'bh_enable',
  'bh_disable',
  'perf_trace',
  'lock_acquire',
  'lock_release',
  'lock_class',
  'mark_lock',
  '(?:reacquire|mark)_held_locks',
  'raw_spin_rq',
  'spin_lock',
  'spin_trylock',
  'spin_unlock',
  'read_lock',
  'read_trylock',
  'write_lock',
  'write_trylock',
  'read_unlock',
  'write_unlock',
  '^down$',
  'down_read',
  'down_write',
  'down_read_trylock',
  'down_write_trylock',
  'down_trylock',
  'up_read',
  'up_write',
  '^mutex_',
  '^__mutex_',
  '^rt_mutex_',
  'owner_on_cpu',
  'osq_lock',
  'osq_unlock',
  'atomic(?:64)?_(?:dec|inc|read|set|or|xor|and|add|sub|fetch|xchg|cmpxchg|try)',
  '(?:set|clear|change|test)_bit',
  '__wake_up',
  '^refcount_',
  '^kref_',
  'ref_tracker',
  'seqprop_assert',
  'memcpy',
  'memcmp',
  'memset',
  'memchr',
  'memmove',
  'memdup',
  'strcmp',
  'strncmp',
  'strcpy',
  'strlcpy',
  'strncpy',
  'strscpy',
  'strlen',
  'strstr',
  'strnstr',
  'strnlen',
  'strchr',
  'strdup',
  'strndup',
  'copy_to_user',
  'copy_from_user',
  'copy_to_iter',
  'copy_from_iter',
  'copy_page_to_iter',
  'copy_page_from_iter',
  'copy_folio_to_iter',
  '^copyin$',
  '^copyout$',
  'put_user',
  'get_user',
  'might_fault',
  'might_sleep',
  'list_add',
  'list_del',
  'list_replace',
  'list_move',
  'list_splice',
  '^rb_',
  '^__rb_',
  '_indirect_thunk_',
  'string',
  'pointer',
  'snprintf',
  'scnprintf',
  'kasprintf',
  'kvasprintf',
  'printk',
  'va_format',
  'dev_info',
  'dev_notice',
  'dev_warn',
  'dev_err',
  'dev_alert',
  'dev_crit',
  'dev_emerg',
  'program_check_exception',
  'program_check_common',
  'del_timer',
  'flush_work',
  '__cancel_work_timer',
  'cancel_work_sync',
  'try_to_grab_pending',
  'flush_workqueue',
  'drain_workqueue',
  'destroy_workqueue',
  'queue_work',
  'finish_wait',
  'kthread_stop',
  'kobject_',
  'add_uevent_var',
  'get_device_parent',
  'device_add',
  'device_del',
  'device_unregister',
  'device_destroy',
  'device_release',
  'devres_release_all',
  'hwrng_unregister',
  'i2c_del_adapter',
  '__unregister_client',
  'device_for_each_child',
  'rollback_registered',
  'unregister_netdev',
  'sysfs_remove',
  'device_remove_file',
  'tty_unregister_device',
  'dummy_urb_enqueue',
  'usb_kill_urb',
  'usb_kill_anchored_urbs',
  'usb_control_msg',
  'usb_hcd_submit_urb',
  'usb_submit_urb',
  '^complete$',
  'wait_for_completion',
  '^kv?free$',
  'kfree_skb',
  'readb$',
  'readw$',
  'readl$',
  'readq$',
  'writeb$',
  'writew$',
  'writel$',
  'writeq$',
  'logic_in',
  'logic_out',
  '^crc\\d+',
  'crc_itu_t',
  '__might_resched',
  'assertfail',
  '^iput$',
  '^iput_final$',
  '^ihold$',
  'hex_dump_to_buffer',
  'print_hex_dump',
  '^klist_',
  '(?:trace|lockdep)_(?:hard|soft)irq',
  '^(?:un)?lock_page',
  'stack_trace_consume_entry',
  'arch_stack_walk',
  'stack_trace_save',
  'insert_work',
  '__queue_delayed_work',
  'queue_delayed_work_on',
  'ida_free',
  'do_(?:kernel|translation)_fault',
  'do_mem_abort',
  'el1_abort',
  'el1h_64_sync(?:_handler)?',
  'print_tainted',
  'xas_(?:start|load|find)',
  'find_lock_entries',
  'truncate_inode_pages_range',
  '__phys_addr',
  '__fortify_report',
  'cleanup_srcu_struct',
  'rhashtable_lookup',
  'extract_(?:user|iter)_to_sg',
  'drop_nlink',
  '^get_taint$',
  '^put_device$',
  'lock_timer_base',
  '__timer_delete_sync',
  'sk_stop_timer_sync',
  '__mod_timer',
  'fast_dput',
  'dput',
  // WARN_ON(!buffer_uptodate(bh)) in mark_buffer_dirty() blames its caller
  '^mark_buffer_dirty$',
];

/** Syscall-entry prefixes stripped from a guilty frame (the shortest result wins). */
export const STRIP_FRAME_PREFIXES: readonly string[] = [
  'SYSC_',
  'SyS_',
  'sys_',
  '__x64_',
  '__ia32_',
  '__arm64_',
  '____sys_',
  '___sys_',
  '__sys_',
  '__se_',
  '__se_sys_',
  '__do_sys_',
  'compat_SYSC_',
  'compat_SyS_',
  'ksys_',
];

export function stripFramePrefix(frame: string): string {
  let best = frame;
  for (const p of STRIP_FRAME_PREFIXES) {
    if (frame.startsWith(p) && frame.length - p.length < best.length) best = frame.slice(p.length);
  }
  return best;
}

/**
 * Substring search for many literal patterns at once (Aho-Corasick): one pass
 * over the name whatever the number of patterns.
 */
class LiteralSet {
  private readonly next: Array<Map<string, number>> = [new Map()];
  private readonly fail: number[] = [0];
  private readonly out: boolean[] = [false];

  constructor(words: readonly string[]) {
    for (const w of words) {
      let node = 0;
      for (const ch of w) {
        let to = this.next[node]?.get(ch);
        if (to === undefined) {
          to = this.next.length;
          this.next.push(new Map());
          this.fail.push(0);
          this.out.push(false);
          this.next[node]?.set(ch, to);
        }
        node = to;
      }
      this.out[node] = true;
    }
    const queue: number[] = [...(this.next[0]?.values() ?? [])];
    for (let q = 0; q < queue.length; q++) {
      const node = queue[q] as number;
      for (const [ch, to] of this.next[node] ?? []) {
        let f = this.fail[node] as number;
        while (f !== 0 && !this.next[f]?.has(ch)) f = this.fail[f] as number;
        const target = this.next[f]?.get(ch);
        this.fail[to] = target !== undefined && target !== to ? target : 0;
        if (this.out[this.fail[to] as number]) this.out[to] = true;
        queue.push(to);
      }
    }
  }

  /** Does `s` contain any of the words? */
  test(s: string): boolean {
    let node = 0;
    for (const ch of s) {
      while (node !== 0 && !this.next[node]?.has(ch)) node = this.fail[node] as number;
      node = this.next[node]?.get(ch) ?? 0;
      if (this.out[node]) return true;
    }
    return false;
  }
}

const LITERAL = /^[A-Za-z0-9_]+$/;
const MEMO_LIMIT = 1 << 16;

/**
 * A test for "does the name hold any of these patterns": plain words through one Aho-Corasick
 * pass, the few real regexes as one alternation (each is linear, see the ReDoS test, and so is
 * their alternation); memoized per function name, since the same frames (lock_acquire,
 * __mutex_lock, ...) recur in every report.
 */
function patternTest(patterns: readonly string[]): (name: string) => boolean {
  const words = new LiteralSet(patterns.filter((p) => LITERAL.test(p)));
  const rest = patterns.filter((p) => !LITERAL.test(p));
  const re = rest.length > 0 ? new RegExp(rest.map((p) => `(?:${p})`).join('|')) : null;
  const memo = new Map<string, boolean>();
  return (name: string) => {
    let hit = memo.get(name);
    if (hit === undefined) {
      if (memo.size >= MEMO_LIMIT) memo.clear();
      hit = words.test(name) || re?.test(name) === true;
      // (a copy: the name may be cut from the decoded input, see ownText)
      memo.set(ownText(name), hit);
    }
    return hit;
  };
}

let globalSkip: ((name: string) => boolean) | undefined;
/** By the row's own list (a row's spec is made once: its list is the same array at each report). */
const cache = new WeakMap<readonly string[], (name: string) => boolean>();

/**
 * The skip test for a row: the global list (one automaton, built once and shared by every row),
 * then the row's own patterns if it has any (a small automaton of its own).
 */
export function skipMatcher(extra: readonly string[] | undefined): (name: string) => boolean {
  globalSkip ??= patternTest(SKIP_FRAMES);
  const skipsGlobally = globalSkip;
  if (!extra || extra.length === 0) return skipsGlobally;
  let test = cache.get(extra);
  if (!test) {
    const skipsHere = patternTest(extra);
    test = (name: string) => skipsGlobally(name) || skipsHere(name);
    cache.set(extra, test);
  }
  return test;
}
