// Seeded pseudo-random numbers, so payloads and arrival schedules are reproducible run to run: the same generator
// (mulberry32) that draws the demo models' weights.
export { mulberry32 as seededRandom } from '../examples/models/random.js';
