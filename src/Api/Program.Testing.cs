/// <summary>Exposed for WebApplicationFactory in tests.</summary>
public partial class Program;
