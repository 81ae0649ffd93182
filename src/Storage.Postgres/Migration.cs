using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace WellWon.Storage.Postgres;

/// <summary>One schema migration: the contents of a <c>database/postgres/NNNN_name.sql</c> file.</summary>
public sealed partial record Migration
{
    private const string ResourcePrefix = "WellWon.Storage.Postgres.Migrations.";

    /// <summary>Creates a migration; <paramref name="sql"/> is normalized to LF line endings before its checksum is taken.</summary>
    public Migration(int version, string name, string sql)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(version);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(sql);
        Version = version;
        Name = name;
        // A checkout with CRLF endings or a BOM must not look like an edited migration.
        Sql = sql.TrimStart('\uFEFF').ReplaceLineEndings("\n");
        Checksum = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Sql)));
    }

    /// <summary>The number prefix of the file name; migrations apply in ascending version order.</summary>
    public int Version { get; }

    /// <summary>The file name without the number prefix and extension, e.g. <c>runtime</c>.</summary>
    public string Name { get; }

    /// <summary>The SQL text, with LF line endings.</summary>
    public string Sql { get; }

    /// <summary>Lower-case hex SHA-256 of <see cref="Sql"/>, recorded when applied.</summary>
    public string Checksum { get; }

    /// <summary>The migrations embedded in this assembly, in version order.</summary>
    public static IReadOnlyList<Migration> Embedded { get; } = LoadEmbedded();

    /// <summary>Builds a migration from a file name of the form <c>NNNN_name.sql</c> and its contents.</summary>
    /// <exception cref="FormatException">The file name does not have that form.</exception>
    public static Migration FromFile(string fileName, string sql)
    {
        var match = FileName().Match(Path.GetFileName(fileName));
        if (!match.Success)
        {
            throw new FormatException($"Migration file '{fileName}' is not named NNNN_name.sql.");
        }

        return new Migration(int.Parse(match.Groups["version"].Value, NumberStyles.None, CultureInfo.InvariantCulture), match.Groups["name"].Value, sql);
    }

    private static Migration[] LoadEmbedded()
    {
        var assembly = typeof(Migration).Assembly;
        return assembly.GetManifestResourceNames()
            .Where(resource => resource.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            .Select(resource => FromFile(resource[ResourcePrefix.Length..], Read(assembly, resource)))
            .OrderBy(m => m.Version)
            .ToArray();
    }

    private static string Read(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    [GeneratedRegex(@"^(?<version>[0-9]{4,})_(?<name>[A-Za-z0-9_]+)\.sql$")]
    private static partial Regex FileName();
}
