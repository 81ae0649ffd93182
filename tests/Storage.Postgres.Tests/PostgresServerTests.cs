using Npgsql;
using WellWon.Testing;
using Xunit.Abstractions;

namespace WellWon.Storage.Postgres.Tests;

[Collection(PostgresCollection.Name)]
public sealed class PostgresServerTests(PostgresServer server, ITestOutputHelper output)
{
    [Fact]
    public void The_server_reports_how_it_was_provided()
    {
        output.WriteLine(server.IsPrivate
            ? $"private PostgreSQL on 127.0.0.1:{server.Port}, initdb + start took {server.StartupTime.TotalMilliseconds:0} ms"
            : $"external PostgreSQL from {PostgresServer.ExternalServerVariable}");
        Assert.Equal(server.IsPrivate, Environment.GetEnvironmentVariable(PostgresServer.ExternalServerVariable) is null or "");
    }

    [Fact]
    public async Task A_created_database_accepts_connections_and_is_empty()
    {
        var db = await server.CreateDatabaseAsync(PostgresCollection.UniqueDatabase("fixture"));

        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'", connection);
        Assert.Equal(0L, await command.ExecuteScalarAsync());
        Assert.Equal(new NpgsqlConnectionStringBuilder(db).Database, connection.Database);
    }

    [Fact]
    public async Task The_private_server_runs_with_durability_off_for_speed()
    {
        // An external server's settings are its owner's business.
        if (!server.IsPrivate)
        {
            return;
        }

        await using var connection = new NpgsqlConnection(server.AdminConnectionString);
        await connection.OpenAsync();
        foreach (var setting in new[] { "fsync", "synchronous_commit", "full_page_writes" })
        {
            await using var show = new NpgsqlCommand($"SHOW {setting}", connection);
            Assert.Equal("off", await show.ExecuteScalarAsync());
        }
    }

    [Theory]
    [InlineData("Robert'); DROP TABLE x;--")]
    [InlineData("UpperCase")]
    [InlineData("")]
    public async Task Database_names_that_are_not_plain_identifiers_are_rejected(string name)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => server.CreateDatabaseAsync(name));
    }
}
