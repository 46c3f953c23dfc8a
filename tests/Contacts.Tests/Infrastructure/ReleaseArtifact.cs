namespace Contacts.Tests.Infrastructure;

/// <summary>The test classes that run the release artifact share one publish.</summary>
[CollectionDefinition(Name)]
public sealed class ReleaseArtifact : ICollectionFixture<PublishedExecutable>
{
    public const string Name = "published executable";
}
