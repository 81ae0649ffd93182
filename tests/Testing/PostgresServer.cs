using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Npgsql;
using Xunit;

namespace WellWon.Testing;

/// <summary>
/// A PostgreSQL server for tests: a private, throwaway cluster in a temp directory on a free
/// loopback port, or the server named by <c>WELLWON_TEST_PG</c> when that variable is set.
/// Share one per collection with <c>ICollectionFixture&lt;PostgresServer&gt;</c>.
/// </summary>
/// <remarks>
/// The private cluster trades durability for speed (fsync, synchronous_commit and
/// full_page_writes are off) and trusts every loopback connection. If no server can be started
/// the fixture throws: tests never skip for a missing server, in CI or anywhere else.
/// Binaries are found via <c>WELLWON_PG_BIN</c>, else the newest /usr/lib/postgresql/*/bin,
/// else <c>pg_ctl</c> on PATH. As root they run as the <c>postgres</c> user through runuser,
/// because initdb and postgres refuse to run as root.
/// </remarks>
public sealed partial class PostgresServer : IAsyncLifetime
{
    /// <summary>Environment variable holding a connection string to an already running server to use instead.</summary>
    public const string ExternalServerVariable = "WELLWON_TEST_PG";

    /// <summary>Environment variable naming the directory that holds initdb, pg_ctl and postgres.</summary>
    public const string BinDirectoryVariable = "WELLWON_PG_BIN";

    private const string OsUser = "postgres";
    private const int StartAttempts = 3;
    private static readonly TimeSpan _startTimeout = TimeSpan.FromSeconds(60);

    // Databases made on an external server, dropped at dispose so a shared server does not fill up.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _created = new(StringComparer.Ordinal);
    private string? _root;
    private string? _binDirectory;
    private bool _asPostgresUser;
    private int _stopped;

    /// <summary>Connection string to the server's maintenance database, as a superuser.</summary>
    public string AdminConnectionString { get; private set; } = "";

    /// <summary>True when the server was started by this fixture (not taken from <c>WELLWON_TEST_PG</c>).</summary>
    public bool IsPrivate => _root is not null;

    /// <summary>Loopback port of the private server (0 for an external one).</summary>
    public int Port { get; private set; }

    /// <summary>How long initdb plus startup took (zero for an external server).</summary>
    public TimeSpan StartupTime { get; private set; }

    /// <summary>Starts the private server, or checks the external one answers.</summary>
    public async Task InitializeAsync()
    {
        var external = Environment.GetEnvironmentVariable(ExternalServerVariable);
        if (!string.IsNullOrWhiteSpace(external))
        {
            AdminConnectionString = external;
            try
            {
                await using var connection = new NpgsqlConnection(external);
                await connection.OpenAsync();
            }
            catch (Exception ex) when (ex is NpgsqlException or ArgumentException or TimeoutException)
            {
                throw new InvalidOperationException(
                    $"{ExternalServerVariable} is set but that server does not accept connections: {ex.Message}", ex);
            }

            return;
        }

        var clock = Stopwatch.StartNew();
        try
        {
            await StartPrivateServerAsync();
        }
        catch (Exception ex) when (ex is not PostgresServerException)
        {
            await StopAsync();
            throw new PostgresServerException($"Could not start a private PostgreSQL server: {ex.Message}{Help}", ex);
        }
        catch
        {
            await StopAsync();
            throw;
        }

        StartupTime = clock.Elapsed;
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
    }

    /// <summary>
    /// Creates an empty database (dropping one of the same name first, which matters on a shared
    /// external server) and returns a connection string to it. On an external server the fixture
    /// drops the databases it created when it is disposed.
    /// </summary>
    /// <param name="name">A lower-case identifier: letters, digits and underscores, at most 63 characters.</param>
    public async Task<string> CreateDatabaseAsync(string name, CancellationToken cancellationToken = default)
    {
        if (!DatabaseName().IsMatch(name))
        {
            throw new ArgumentException($"'{name}' is not a plain lower-case identifier of at most 63 characters.", nameof(name));
        }

        await using (var connection = new NpgsqlConnection(AdminConnectionString))
        {
            await connection.OpenAsync(cancellationToken);

            // Identifiers cannot be bound as parameters; the name was validated above.
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync(cancellationToken);
            // FILE_COPY skips writing the template through the WAL: with fsync off its checkpoints
            // are cheap, so it is the faster strategy here (PostgreSQL 15+ has the choice).
            var strategy = connection.PostgreSqlVersion.Major >= 15 ? " STRATEGY FILE_COPY" : "";
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'{strategy}", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        _created.TryAdd(name, 0);

        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>Stops the private server and deletes its directory, or drops the databases made on an external server.</summary>
    public async Task DisposeAsync()
    {
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        if (IsPrivate)
        {
            await StopAsync();
            return;
        }

        if (_created.IsEmpty)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        foreach (var name in _created.Keys)
        {
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }

    private static string Help =>
        Environment.NewLine +
        "Tests need PostgreSQL: install the server binaries (Debian: apt-get install -y postgresql, or run " +
        $"bash scripts/test.sh which installs what is missing), point {BinDirectoryVariable} at the directory holding " +
        $"initdb and pg_ctl, or set {ExternalServerVariable} to a connection string of a running server. " +
        (IsCi ? "CI=true: this fails the run; tests never skip." : "Tests do not skip when a server is missing.");

    // /tmp rather than TMPDIR: the postgres user must be able to reach it when we run as root,
    // and the unix socket path inside it must stay under the ~107-byte sun_path limit.
    private static string TempBase => Directory.Exists("/tmp") ? "/tmp" : Path.GetTempPath();

    private static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    private async Task StartPrivateServerAsync()
    {
        _binDirectory = FindBinDirectory();
        _asPostgresUser = Environment.IsPrivilegedProcess;

        _root = Path.Combine(TempBase, "wellwon-pg-" + Guid.NewGuid().ToString("N")[..12]);
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(_root);
        }
        else
        {
            // Owner-only, like CreateTempSubdirectory: the cluster trusts every local connection.
            Directory.CreateDirectory(_root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        var data = Path.Combine(_root, "data");
        var sockets = Path.Combine(_root, "sock");
        Directory.CreateDirectory(sockets);
        if (_asPostgresUser)
        {
            await RunAsync("chown", ["-R", $"{OsUser}:{OsUser}", _root], asPostgresUser: false);
        }

        // --no-sync: the cluster is thrown away, so initdb need not wait for the disk.
        await RunAsync(Tool("initdb"),
            ["-D", data, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync", "--no-instructions"],
            _asPostgresUser);

        File.AppendAllText(Path.Combine(data, "postgresql.conf"), $"""

            # Added by WellWon.Testing.PostgresServer: a throwaway test cluster.
            listen_addresses = '127.0.0.1'
            unix_socket_directories = '{sockets}'
            fsync = off
            synchronous_commit = off
            full_page_writes = off
            max_connections = 200
            shared_buffers = 32MB
            logging_collector = off
            """);

        // The port is chosen per attempt: another process may grab it between FreePort and bind.
        for (var attempt = 1; ; attempt++)
        {
            Port = FreePort.Get();
            var log = Path.Combine(_root, $"server-{attempt}.log");
            await RunAsync(Tool("pg_ctl"),
                ["start", "-D", data, "-l", log, "-W", "-o", $"-p {Port.ToString(CultureInfo.InvariantCulture)}"],
                _asPostgresUser);

            AdminConnectionString = new NpgsqlConnectionStringBuilder
            {
                Host = "127.0.0.1",
                Port = Port,
                Username = "postgres",
                Database = "postgres",
                Timeout = 5,
                // Pools die with the server at DisposeAsync; keep them small and short-lived.
                MaxPoolSize = 20,
                ConnectionIdleLifetime = 10,
            }.ConnectionString;

            var error = await WaitForConnectionsAsync(data, log);
            if (error is null)
            {
                return;
            }

            var tail = Tail(log, 30);
            if (attempt >= StartAttempts || !tail.Contains("could not bind", StringComparison.Ordinal))
            {
                throw new PostgresServerException(
                    $"PostgreSQL in {data} did not accept connections on 127.0.0.1:{Port}: {error}{Environment.NewLine}" +
                    $"--- last lines of {log} ---{Environment.NewLine}{tail}{Help}");
            }

            await RunAsync(Tool("pg_ctl"), ["stop", "-D", data, "-m", "immediate", "-w"], _asPostgresUser, throwOnError: false);
        }
    }

    // Polls rather than trusting pg_ctl -w, so the deadline and the error text are ours.
    private async Task<string?> WaitForConnectionsAsync(string data, string log)
    {
        var clock = Stopwatch.StartNew();
        var delay = TimeSpan.FromMilliseconds(20);
        string last = "no attempt made";
        while (clock.Elapsed < _startTimeout)
        {
            try
            {
                await using var connection = new NpgsqlConnection(AdminConnectionString);
                await connection.OpenAsync();
                await using var ping = new NpgsqlCommand("SELECT 1", connection);
                await ping.ExecuteScalarAsync();
                return null;
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or IOException)
            {
                last = ex.Message;
            }

            // A postmaster that exited will never answer: fail now instead of at the deadline.
            if (clock.Elapsed > TimeSpan.FromSeconds(1) && !File.Exists(Path.Combine(data, "postmaster.pid")) &&
                File.Exists(log) && Tail(log, 5).Length > 0)
            {
                return $"the server exited ({last})";
            }

            await Task.Delay(delay);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 200));
        }

        return $"no connection within {_startTimeout.TotalSeconds:0} s ({last})";
    }

    private async Task StopAsync()
    {
        if (_root is null || Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        var data = Path.Combine(_root, "data");
        if (File.Exists(Path.Combine(data, "postmaster.pid")) && _binDirectory is not null)
        {
            // immediate: the data is thrown away, so a clean checkpoint is wasted time.
            await RunAsync(Tool("pg_ctl"), ["stop", "-D", data, "-m", "immediate", "-w"], _asPostgresUser, throwOnError: false);
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is not worth failing a test run for.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private void OnProcessExit(object? sender, EventArgs e) => StopAsync().GetAwaiter().GetResult();

    private string Tool(string name) => Path.Combine(_binDirectory!, name);

    private static string FindBinDirectory()
    {
        var configured = Environment.GetEnvironmentVariable(BinDirectoryVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return File.Exists(Path.Combine(configured, "initdb"))
                ? configured
                : throw new PostgresServerException($"{BinDirectoryVariable}={configured} holds no initdb.{Help}");
        }

        // Debian keeps server binaries off PATH, one directory per major version.
        const string debianRoot = "/usr/lib/postgresql";
        if (Directory.Exists(debianRoot))
        {
            var newest = Directory.GetDirectories(debianRoot)
                .Select(dir => (dir, version: int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : -1))
                .Where(x => x.version >= 0 && File.Exists(Path.Combine(x.dir, "bin", "initdb")))
                .OrderByDescending(x => x.version)
                .Select(x => Path.Combine(x.dir, "bin"))
                .FirstOrDefault();
            if (newest is not null)
            {
                return newest;
            }
        }

        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            if (File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl")))
            {
                return dir;
            }
        }

        throw new PostgresServerException($"No PostgreSQL server binaries (initdb, pg_ctl) found in {debianRoot}/*/bin or on PATH.{Help}");
    }

    private static async Task RunAsync(string file, IReadOnlyList<string> arguments, bool asPostgresUser, bool throwOnError = true)
    {
        var start = new ProcessStartInfo
        {
            FileName = asPostgresUser ? "runuser" : file,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            // The postgres user cannot enter a root-owned working directory, and initdb checks it.
            WorkingDirectory = TempBase,
        };
        if (asPostgresUser)
        {
            foreach (var a in new[] { "-u", OsUser, "--", file })
            {
                start.ArgumentList.Add(a);
            }
        }

        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        var commandLine = string.Join(' ', start.ArgumentList.Prepend(start.FileName));
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new PostgresServerException($"Could not start: {commandLine}");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new PostgresServerException($"Could not start {commandLine}: {ex.Message}{Help}", ex);
        }

        using (process)
        {
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(_startTimeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new PostgresServerException($"Timed out after {_startTimeout.TotalSeconds:0} s: {commandLine}");
            }

            var output = new StringBuilder().Append(await stdout).Append(await stderr).ToString().Trim();
            if (throwOnError && process.ExitCode != 0)
            {
                throw new PostgresServerException($"`{commandLine}` exited with {process.ExitCode}:{Environment.NewLine}{output}{Help}");
            }
        }
    }

    private static string Tail(string path, int lines)
    {
        try
        {
            var all = File.ReadAllLines(path);
            return string.Join(Environment.NewLine, all.Skip(Math.Max(0, all.Length - lines)));
        }
        catch (IOException)
        {
            return "(no server log)";
        }
        catch (UnauthorizedAccessException)
        {
            return "(server log unreadable)";
        }
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex DatabaseName();
}

/// <summary>The test PostgreSQL server could not be started or reached.</summary>
public sealed class PostgresServerException : Exception
{
    /// <summary>Creates the exception with a message that says what to install or set.</summary>
    public PostgresServerException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the failure that caused it.</summary>
    public PostgresServerException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with no message.</summary>
    public PostgresServerException()
    {
    }
}
