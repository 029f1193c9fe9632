/** Public surface of the exclude/filter rules (see the per-file headers for semantics). */
export { type CompiledPattern, compilePattern } from './pattern.js';
export {
  type WireRule,
  type RuleList,
  type RuleListInput,
  type Verdict,
  FilterRuleError,
  parseFilterRule,
  compileRuleList,
  compileWireRules,
} from './rule_list.js';
export { parseExcludeFromText, parseFilterFromText } from './rule_files.js';
export { type MoveFate, classifyMove } from './move_filter.js';
