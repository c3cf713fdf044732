// Three replicas of one post's like/dislike counter, talking over a network that drops,
// duplicates and reorders messages, and that splits in two for a while. No replica ever
// waits for another, and no coordinator decides: merging is enough to agree.
import { asReplicaId, type ReplicaId } from '@convergent/core';
import * as GCounter from '@convergent/g-counter';
import { Network } from '@convergent/laws';
import * as PNCounter from '@convergent/pn-counter';
import { setTimeout as sleep } from 'node:timers/promises';

const phone = asReplicaId('phone');
const laptop = asReplicaId('laptop');
const tablet = asReplicaId('tablet');
const replicas = [phone, laptop, tablet];

const net = new Network({ lattice: PNCounter, replicas, seed: 42, drop: 0.25, duplicate: 0.15, maxDelay: 3 });
const pace = process.env.CI ? 0 : 120;
const truth = { likes: 0, dislikes: 0 };

const view = (id: ReplicaId) => {
  const state = net.state(id);
  return `${GCounter.value(state.increments)}👍 ${GCounter.value(state.decrements)}👎`;
};
const show = (t: string, note = '') => {
  const cells = replicas.map((id) => `${id.padEnd(6)} ${view(id).padEnd(10)}`).join('  │  ');
  const agree = net.converged() ? 'agree   ' : 'DIFFER  ';
  console.log(`${t.padStart(4)}  ${cells}  │ ${agree}${note}`);
};
const like = (id: ReplicaId) => {
  truth.likes++;
  net.update(id, (state, me) => PNCounter.increment(state, me));
};
const dislike = (id: ReplicaId) => {
  truth.dislikes++;
  net.update(id, (state, me) => PNCounter.decrement(state, me));
};

// Who does what, tick by tick.
const script: Array<[string, () => void]> = [
  ['phone likes', () => like(phone)],
  ['laptop likes twice', () => (like(laptop), like(laptop))],
  ['tablet dislikes', () => dislike(tablet)],
  ['phone and tablet like', () => (like(phone), like(tablet))],
  ['', () => {}],
  ['— partition: {phone, laptop} | {tablet} —', () => net.partition([phone, laptop], [tablet])],
  ['laptop likes', () => like(laptop)],
  ['tablet likes three times', () => (like(tablet), like(tablet), like(tablet))],
  ['phone dislikes', () => dislike(phone)],
  ['tablet dislikes', () => dislike(tablet)],
  ['', () => {}],
  ['', () => {}],
];

console.log('Convergent demo: a like counter (PN-Counter) on three replicas.');
console.log('The network drops 25% of messages, duplicates 15% and delays up to 3 ticks.\n');
for (const [i, [what, act]] of script.entries()) {
  act();
  net.tick();
  show(`t${i + 1}`, what);
  await sleep(pace);
}

console.log('\n— partition heals; replicas gossip their full state (anti-entropy) —');
let round = 0;
net.heal();
while (!net.converged() && round < 100) {
  round++;
  net.gossip();
  net.tick(4);
  show(`g${round}`, `anti-entropy round ${round}`);
  await sleep(pace);
}

const final = net.state(phone);
const { sent, dropped, duplicated } = net.stats;
console.log(`\nNetwork: ${sent} messages sent, ${dropped} lost, ${duplicated} duplicated.`);
console.log(`Everyone pressed 👍 ${truth.likes} times and 👎 ${truth.dislikes} times.`);
console.log(`Every replica now shows ${view(phone)}, score ${PNCounter.value(final)}.`);
const correct =
  net.converged() && GCounter.value(final.increments) === truth.likes && GCounter.value(final.decrements) === truth.dislikes;
console.log(correct ? 'Converged: all three replicas agree, and nothing was lost.' : 'NOT CONVERGED — this is a bug.');
process.exitCode = correct ? 0 : 1;
