// The rate a Substrate user gets with @polkadot/api (the library behind Polkadot.js Apps):
// signs <count> `system.remark`s of <bytes> bytes each from //Alice with consecutive nonces,
// submits them all (as many at once as the node's pool takes), and counts them as finalized
// blocks include them. Used by scripts/bench.sh beside the CLI's own rate.
//
// Usage: node remark-rate.mjs <ws-url> <count> <bytes>
// Prints one JSON object on stdout: count, landed (the pool may drop some under load; it stops
// waiting 30 s after the last one landed), seconds (first submission to the last finalized),
// perSecond (landed / seconds), and the largest number of them in one block.
import { ApiPromise, Keyring, WsProvider } from '@polkadot/api';

const [url, countText, bytesText] = process.argv.slice(2);
const count = Number(countText);
const bytes = Number(bytesText);
if (!url || !(count > 0) || !(bytes >= 0)) {
	console.error('usage: node remark-rate.mjs <ws-url> <count> <bytes>');
	process.exit(2);
}
const deadline = setTimeout(() => {
	console.error(`timed out after 600 s on ${url}`);
	process.exit(3);
}, 600_000);

const provider = new WsProvider(url, false);
await provider.connect();
const api = await ApiPromise.create({ provider, throwOnConnect: true, noInitWarn: true });
const alice = new Keyring({ type: 'sr25519' }).addFromUri('//Alice');
const first = (await api.rpc.system.accountNextIndex(alice.address)).toNumber();

// Sign everything first: the rate measured is the chain's and the submission's, not signing's.
const signed = [];
for (let i = 0; i < count; i++) {
	const remark = `${i}:`.padEnd(bytes, 'x');
	signed.push(await api.tx.system.remark(remark).signAsync(alice, { nonce: first + i, era: 0 }));
}
const ours = new Set(signed.map((tx) => tx.hash.toHex()));

let landed = 0;
let lastLanded = Date.now();
let most = 0;
let resolveDone;
const done = new Promise((resolve) => (resolveDone = resolve));
const started = Date.now();
// Finality may jump several blocks at once: every block up to the new head is read, in turn.
let seen = (await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber();
let reading = Promise.resolve();
const unsubscribe = await api.rpc.chain.subscribeFinalizedHeads((header) => {
	const head = header.number.toNumber();
	reading = reading.then(async () => {
		for (; seen < head; seen++) {
			const hash = await api.rpc.chain.getBlockHash(seen + 1);
			const block = await api.rpc.chain.getBlock(hash);
			const here = block.block.extrinsics.filter((ext) => ours.has(ext.hash.toHex())).length;
			landed += here;
			most = Math.max(most, here);
			if (here > 0) lastLanded = Date.now();
		}
		if (landed >= count) resolveDone();
	});
});
// As many in flight as the pool takes: 64 submissions on the wire at once.
let next = 0;
async function worker() {
	while (next < signed.length) {
		const tx = signed[next++];
		await api.rpc.author.submitExtrinsic(tx);
	}
}
await Promise.all(Array.from({ length: 64 }, worker));
// The pool may drop some under load (they never land): stop 30 s after the last one landed.
const stalled = setInterval(() => Date.now() - lastLanded > 30_000 && resolveDone(), 1000);
await done;
clearInterval(stalled);
const seconds = (lastLanded - started) / 1000;
unsubscribe();
clearTimeout(deadline);
console.log(JSON.stringify({ count, landed, bytes, seconds, perSecond: landed / seconds, mostInOneBlock: most }));
await api.disconnect();
process.exit(0);
