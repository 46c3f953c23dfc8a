using System.IO.Compression;
using Microsoft.AspNetCore.ResponseCompression;

namespace Contacts.Api;

/// <summary>
/// Brotli at quality 3. ASP.NET Core's own provider offers Fastest (quality 1) or Optimal (4): quality 1 compresses
/// each write on its own, and the JSON serializer writes 4 KB at a time, so a 100-contact page of the demo data
/// (36.2 KB) came out at 12.8 KB, larger than gzip's 10.5 KB. Quality 3 keeps a window across writes: 7.6 KB for about
/// 140 µs of CPU, where quality 4 gives 7.2 KB for about 230 µs and gzip 10.5 KB for about 60 µs (docs/decisions.md).
/// </summary>
internal sealed class BrotliProvider : ICompressionProvider
{
    public const int Quality = 3;

    public string EncodingName => "br";

    public bool SupportsFlush => true;

    public Stream CreateStream(Stream outputStream) =>
        new BrotliStream(outputStream, new BrotliCompressionOptions { Quality = Quality }, leaveOpen: true);
}
