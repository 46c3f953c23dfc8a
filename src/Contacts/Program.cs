using Contacts.Cli;

return await ContactsCli.RunAsync(args, Console.Out, Console.Error);
