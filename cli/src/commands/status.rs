//! `medtrust status`.

use crate::context::Context;

/// Shows what the node says about its chain.
pub async fn run(context: &Context) -> anyhow::Result<()> {
	let status = context.connect().await?.status().await?;
	context.output.show(&status)
}
