using Microsoft.Extensions.Hosting;
using WellWon.Silo;

var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddWellWonDevelopmentSilo();
using var host = builder.Build();
await host.RunAsync();
