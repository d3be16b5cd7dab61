// Connects to a MedTrust node with @polkadot/api (what Polkadot.js Apps uses), reads its
// metadata, calls two runtime APIs as Polkadot.js Apps would (their text shown as text, by
// `toHuman()`), submits a signed `system.remark` from //Alice and waits for it to be
// finalized.
//
// Usage: node remark.mjs <ws-url> <remark-text>
// Prints one JSON object on stdout; exits non-zero on any failure or after 120 s.
import { ApiPromise, Keyring, WsProvider } from '@polkadot/api';

const [url, text] = process.argv.slice(2);
if (!url || !text) {
	console.error('usage: node remark.mjs <ws-url> <remark-text>');
	process.exit(2);
}

const deadline = setTimeout(() => {
	console.error(`timed out after 120 s waiting on ${url}`);
	process.exit(3);
}, 120_000);

const provider = new WsProvider(url, false);
await provider.connect();
const api = await ApiPromise.create({ provider, throwOnConnect: true, noInitWarn: true });

const chain = (await api.rpc.system.chain()).toString();
const pallets = api.runtimeMetadata.asLatest.pallets.map((p) => p.name.toString());
// Names are stored as text: `toHuman()` shows them as written, not as hex.
const institutions = (await api.call.consortiumApi.institutions()).toHuman();
const domains = (await api.call.dataSourcesApi.domains()).toHuman();
const alice = new Keyring({ type: 'sr25519' }).addFromUri('//Alice');

const result = await new Promise((resolve, reject) => {
	let inBlock = null;
	api.tx.system
		.remark(text)
		.signAndSend(alice, ({ status, events, dispatchError, txHash }) => {
			if (dispatchError) {
				reject(new Error(`dispatch error: ${dispatchError.toString()}`));
			} else if (status.isInBlock) {
				inBlock = status.asInBlock.toHex();
			} else if (status.isFinalized) {
				const success = events.some(({ event }) => api.events.system.ExtrinsicSuccess.is(event));
				resolve({ blockHash: status.asFinalized.toHex(), inBlock, txHash: txHash.toHex(), success });
			} else if (status.isInvalid || status.isDropped || status.isUsurped) {
				reject(new Error(`transaction ${status.type}`));
			}
		})
		.catch(reject);
});

const header = await api.rpc.chain.getHeader(result.blockHash);
console.log(
	JSON.stringify({
		chain,
		specName: api.runtimeVersion.specName.toString(),
		specVersion: api.runtimeVersion.specVersion.toNumber(),
		pallets,
		institutions,
		domains,
		signer: alice.address,
		blockNumber: header.number.toNumber(),
		...result,
	}),
);
clearTimeout(deadline);
await api.disconnect();
process.exit(0);
