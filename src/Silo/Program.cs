using Microsoft.Extensions.Hosting;
using WellWon.Silo;

// Development: no configuration, one silo with in-memory stores. Cluster: set WellWon:Postgres:ConnectionString
// (and WellWon:Cluster:Port per silo); see docs/local-cluster.md.
var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddWellWonSiloFromConfiguration(builder.Configuration);
using var host = builder.Build();
await host.RunAsync();
