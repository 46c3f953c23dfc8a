namespace Contacts.Tests.Infrastructure;

/// <summary>Tests that run dotnet pack or publish on the repository's projects: one at a time, as two builds of one project collide.</summary>
[CollectionDefinition(Name)]
public sealed class DotnetBuilds
{
    public const string Name = "dotnet builds";
}
