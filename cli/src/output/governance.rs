//! Runtime upgrades.

use medtrust_client::{
	chain::status::RuntimeInfo,
	consortium::upgrade::{AppliedUpgrade, UpgradeProposal},
};
use medtrust_upgrade_check::UpgradeCheck;

use super::{Done, Render};

fn version(r: &RuntimeInfo) -> String {
	format!(
		"{} spec {} (impl {}, tx {})",
		r.spec_name, r.spec_version, r.impl_version, r.transaction_version
	)
}

impl Render for UpgradeProposal {
	fn text(&self) -> String {
		let mut out = format!(
			"runtime upgrade proposed: {} -> {}\ncode hash {:?}\n",
			version(&self.current),
			version(&self.proposed),
			self.code_hash
		);
		match self.motion_hash {
			Some(hash) => out.push_str(&format!(
				"motion {hash:?} needs {} ayes of {} institutions: `medtrust consortium vote \
				 {hash:?} --aye`, then `consortium close {hash:?}`, then `governance upgrade \
				 --apply <wasm>`\n",
				self.threshold, self.council
			)),
			None => out.push_str(
				"authorized at once (a council of one): `governance upgrade --apply <wasm>`\n",
			),
		}
		out + &Done { what: "proposal", submitted: self.submitted.clone() }.text()
	}
}

impl Render for AppliedUpgrade {
	fn text(&self) -> String {
		format!(
			"runtime upgraded: {} -> {}\ncode hash {:?}\nset in block {:?} (final; extrinsic {:?})\n",
			version(&self.before),
			version(&self.after),
			self.code_hash,
			self.block_hash,
			self.extrinsic_hash
		)
	}
}

impl Render for UpgradeCheck {
	fn text(&self) -> String {
		format!(
			"upgrade checked: {} -> {}\nstate of block #{} {:?} ({} keys): migrations, storage \
			 versions and try_state passed\nmigrations' weight {:.3} ms of the block's {:.0} ms\n",
			version(&self.current),
			version(&self.proposed),
			self.block_number,
			self.block_hash,
			self.keys,
			self.migration_ref_time as f64 / 1e9,
			self.block_ref_time as f64 / 1e9
		)
	}
}
