-- Search reads one company's contacts in id order and tests search_text (and phone_digits) on each. This index holds
-- all of that, so SQLite answers from the index alone instead of looking every row up in the table: on the medium
-- benchmark (25,000 contacts in the big company) a search's scan went from 20 ms to 4 ms. See bench/README.md.
CREATE INDEX contact_company_search ON contact (company_id, id, search_text, phone_digits);
