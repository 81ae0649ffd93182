namespace WellWon.Storage.Postgres;

/// <summary>What one <see cref="PostgresMigrator.MigrateAsync"/> call did.</summary>
/// <param name="Applied">Versions this call applied, in order.</param>
/// <param name="AlreadyApplied">Known versions that were already recorded before this call applied anything.</param>
public sealed record MigrationResult(IReadOnlyList<int> Applied, IReadOnlyList<int> AlreadyApplied);
