export { laws, type Law, type LawName, type LawOptions } from './laws.js';
export { maxRegisterSpec, type CrdtSpec } from './spec.js';
export { scenarios, type ScenarioName, type ScenarioOptions } from './scenarios.js';
export { universe, type Held, type Universe } from './universe.js';
export { Network, type NetworkOptions } from './network.js';
export { Links, type LinkOptions, type NetworkStats } from './links.js';
