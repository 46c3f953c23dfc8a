using System.CommandLine;

namespace Contacts.Cli;

/// <summary>--company ID, required by the commands that act on one company's keys or contacts.</summary>
internal static class CompanyOption
{
    public static Option<long> Create()
    {
        var option = WholeNumberOption.Create<long>("--company", "Company id (as 'contacts company list' shows)",
            "a company id, a whole number such as 2 ('contacts company list' shows them)");
        option.Required = true;
        return option;
    }
}
