//! `bench-ceiling`: serves `GET /threads/{id}` from the benchmark dataset in one
//! statement (see the library's documentation and bench/README.md).

use clap::Parser;

/// The same allocator as `shn`, so the comparison is of the work, not of the allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The load benchmark's bare ceiling: a thread with its 50 newest replies and their
/// authors, as HTML, from the benchmark dataset.
#[derive(Parser)]
struct Args {
    /// The dataset's database: sqlite://FILE or postgres://… (as for `shn serve`).
    #[arg(long, env = "SHN_DATABASE_URL")]
    database_url: String,
    /// The address to listen on.
    #[arg(long, env = "SHN_BIND", default_value = "127.0.0.1:8090")]
    bind: std::net::SocketAddr,
    /// Database connections (`shn serve` opens 10 by default).
    #[arg(long, default_value_t = 10)]
    connections: u32,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let db = bench_ceiling::connect(&args.database_url, args.connections).await?;
    let listener = tokio::net::TcpListener::bind(args.bind).await?;
    axum::serve(listener, bench_ceiling::router(db)).await?;
    Ok(())
}
