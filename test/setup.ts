// Root hooks are filled in by the database harness; kept so unit specs can run alone.
export const mochaHooks = {};
