// Custom-action syncs (lsyncd Layer 2/3, `mode: 'custom'`): see actions_transport.ts and
// substitution.ts for the contract; inlet_action_transport.ts puts a Lua `action = function(inlet)`
// in front of a built-in transport.
export { ActionsTransport } from './actions_transport.js';
export {
  VARIABLES,
  actionCommand,
  binaryArgv,
  shellScript,
  splitWords,
  tokenize,
  usesTarget,
  variableValue,
  type SubstitutionContext,
  type VariableName,
} from './substitution.js';
export { InletActionTransport } from './inlet_action_transport.js';
