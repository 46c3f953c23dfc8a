using System.Diagnostics;
using Contacts.Tests.Cli;
using Contacts.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Contacts.Tests.Client;

/// <summary>
/// docs/client.md's install, as an integrator does it: the package packed into a folder, a new console project that
/// takes it from that folder (its dependencies from the usual feed, into an empty package cache, as on a new machine),
/// and the project's program calling a live server with a key.
/// </summary>
public sealed class ClientPackageTests(SqliteAppFixture fixture, ITestOutputHelper output) : IClassFixture<SqliteAppFixture>
{
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(5);

    private const string Program = """
        using Contacts.Client;

        using var client = ContactsClient.Create(new Uri(args[0]), Environment.GetEnvironmentVariable("CONTACTS_API_KEY")!);
        var page = await client.GetContactsAsync(new ContactsQuery { Limit = 10 });
        Console.WriteLine($"total {page.TotalRecords}");
        foreach (var contact in page.Data)
            Console.WriteLine($"{contact.FirstName} {contact.LastName} [{string.Join(",", contact.Tags.Select(t => t.Name))}]");
        """;

    [SkippableFact]
    public async Task PackedClientInstallsIntoANewProjectAndCallsALiveServer()
    {
        var company = await fixture.Data.CompanyAsync();
        var vip = await fixture.Data.TagAsync(company.Id, "VIP");
        await fixture.Data.ContactAsync(company.Id, "Ada", "Lovelace-Package", tags: [vip]);
        await fixture.Data.ContactAsync(company.Id, "Grace", "Hopper-Package");
        using var folder = new TempFolder();
        var artifacts = Path.Combine(folder.Path, "artifacts");
        var app = Directory.CreateDirectory(Path.Combine(folder.Path, "app")).FullName;
        // A package cache of its own: nothing from an earlier run or from the repository's builds helps the restore.
        var environment = new Dictionary<string, string>
        {
            ["NUGET_PACKAGES"] = Path.Combine(folder.Path, "packages"), ["DOTNET_NOLOGO"] = "1", ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["CONTACTS_API_KEY"] = company.Key,
        };
        var watch = Stopwatch.StartNew();

        // docs/client.md's command, reusing the build the tests run on (--no-build) instead of building again.
        await DotnetAsync(ToolProcess.RepositoryRoot(), environment,
            "pack", "src/Contacts.Client", "--no-build", "-c", Configuration, "-o", artifacts);
        Assert.Equal(["Contacts.Client.0.1.0.nupkg"], Directory.GetFiles(artifacts).Select(Path.GetFileName));
        await File.WriteAllTextAsync(Path.Combine(app, "app.csproj"), """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
              </PropertyGroup>
            </Project>
            """);
        await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), Program);
        await DotnetAsync(app, environment, "new", "nugetconfig");
        await DotnetAsync(app, environment, "nuget", "add", "source", artifacts, "--name", "contacts");
        await DotnetAsync(app, environment, "add", "package", "Contacts.Client");
        output.WriteLine($"{watch.Elapsed.TotalSeconds:0.0} s: packed and installed");
        var run = await DotnetAsync(app, environment, "run", "--", fixture.App.Address.ToString());
        output.WriteLine($"{watch.Elapsed.TotalSeconds:0.0} s: the program answered");

        Assert.Contains("total 2", run, StringComparison.Ordinal);
        Assert.Contains("Ada Lovelace-Package [VIP]", run, StringComparison.Ordinal);
        Assert.Contains("Grace Hopper-Package []", run, StringComparison.Ordinal);
    }

#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    private static async Task<string> DotnetAsync(string folder, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var result = await ToolProcess.RunAsync(ToolProcess.Dotnet, arguments, folder, Bound, environment);
        Assert.True(result.ExitCode == 0, $"dotnet {string.Join(' ', arguments)} exited {result.ExitCode}:\n{result.Output}");
        return result.Output;
    }
}
