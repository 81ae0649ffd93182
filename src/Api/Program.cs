using WellWon.Api;

var builder = WebApplication.CreateBuilder(args);
builder.AddWellWonApi();
var app = builder.Build();
app.MapWellWonApi();
app.Lifetime.ApplicationStarted.Register(() =>
{
    foreach (var url in app.Urls)
    {
        Console.WriteLine($"WellWon is listening on {url}");
    }
});
await app.RunAsync();
