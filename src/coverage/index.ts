import { CoverageResolver, RunCoverageResolver } from './coverage.resolver';

export const coverageResolvers = [RunCoverageResolver, CoverageResolver] as const;
